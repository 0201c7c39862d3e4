import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger } from '../../src';

describe('createLogger', () => {
  it('writes JSON lines with the service name and redacts tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger('gateway', 'info', sink);
    logger.info({ req: { headers: { authorization: 'Bearer sa_secret' } }, token: 'sa_other', user: 'op' }, 'request');
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ service: 'gateway', msg: 'request', user: 'op', token: '[redacted]' });
    expect(entry.req.headers.authorization).toBe('[redacted]');
    expect(lines.join('')).not.toContain('sa_secret');
    expect(pino.levels.values[logger.level]).toBe(30);
  });
});
