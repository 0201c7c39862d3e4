import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, MIN_INTERNAL_API_SECRET_LENGTH, apiEnv, commonEnv, parseConfig, port, z } from '../../src';

const schema = z.object({ ...commonEnv, HTTP_PORT: port(9100), API_TOKEN_PEPPER: z.string().min(16) });

describe('parseConfig', () => {
  it('applies defaults and splits broker lists', () => {
    const cfg = parseConfig('svc', schema, { API_TOKEN_PEPPER: 'x'.repeat(16), KAFKA_BROKERS: 'a:1, b:2' });
    expect(cfg.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(cfg.HTTP_PORT).toBe(9100);
    expect(cfg.MONGO_URL).toBe('mongodb://127.0.0.1:27017/siliconalley');
  });

  it('lists every problem with the key and the offending value', () => {
    let err: unknown;
    try {
      parseConfig('svc', schema, { HTTP_PORT: 'eighty', KAFKA_BROKERS: 'nohost', MONGO_URL: 'postgres://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toMatch(/^svc: invalid configuration/);
    expect(msg).toContain('HTTP_PORT');
    expect(msg).toContain('"eighty"');
    expect(msg).toContain('KAFKA_BROKERS');
    expect(msg).toContain('MONGO_URL: must be a mongodb:// URL');
    expect(msg).toContain('API_TOKEN_PEPPER');
    expect((err as ConfigError).issues).toHaveLength(4);
  });

  it('reads NAME_FILE secrets and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'pepper');
    writeFileSync(file, 'super-secret-pepper-value\n');
    expect(parseConfig('svc', schema, { API_TOKEN_PEPPER_FILE: file }).API_TOKEN_PEPPER).toBe('super-secret-pepper-value');
    expect(() => parseConfig('svc', schema, { API_TOKEN_PEPPER_FILE: file, API_TOKEN_PEPPER: 'y'.repeat(16) })).toThrow(/set only one/);
    expect(() => parseConfig('svc', schema, { API_TOKEN_PEPPER_FILE: join(dir, 'missing') })).toThrow(/cannot read/);
    // Another program's *_FILE variable is ignored, even when its file does not exist.
    expect(parseConfig('svc', schema, { API_TOKEN_PEPPER_FILE: file, TF_CLI_CONFIG_FILE: join(dir, 'nope') }).API_TOKEN_PEPPER).toBe(
      'super-secret-pepper-value',
    );
  });
});

describe('listen addresses and the internal API secret', () => {
  const api = z.object({ ...commonEnv, ...apiEnv });

  it('listens on loopback unless told otherwise', () => {
    const cfg = parseConfig('svc', api, { INTERNAL_API_SECRET: 's'.repeat(32) });
    expect({ http: cfg.HTTP_HOST, ops: cfg.OPS_HOST }).toEqual({ http: '127.0.0.1', ops: '127.0.0.1' });
    expect(parseConfig('svc', api, { INTERNAL_API_SECRET: 's'.repeat(32), HTTP_HOST: '0.0.0.0', OPS_HOST: '::' })).toMatchObject({
      HTTP_HOST: '0.0.0.0',
      OPS_HOST: '::',
    });
    expect(() => parseConfig('svc', api, { INTERNAL_API_SECRET: 's'.repeat(32), HTTP_HOST: 'a host' })).toThrow(/HTTP_HOST: an IP address or host name/);
  });

  it('requires the secret, at least 32 characters, and never repeats it in the error', () => {
    expect(() => parseConfig('svc', api, {})).toThrow(/INTERNAL_API_SECRET: required: .*INTERNAL_API_SECRET_FILE/);
    let message = '';
    try {
      parseConfig('svc', api, { INTERNAL_API_SECRET: 'short-but-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`INTERNAL_API_SECRET: at least ${MIN_INTERNAL_API_SECRET_LENGTH} characters`);
    expect(message).not.toContain('short-but-secret');
  });
});
