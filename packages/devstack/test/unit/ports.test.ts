import { createServer } from 'node:net';
import { CHOSEN_PORTS, ephemeralPortRange, freePort } from '../../src/ports';

describe('freePort', () => {
  it('chooses ports outside the ephemeral range (where outgoing connections take theirs), never the same twice', async () => {
    const ephemeral = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(CHOSEN_PORTS.from);
      expect(port).toBeLessThan(CHOSEN_PORTS.to);
      expect(port < ephemeral.from || port > ephemeral.to).toBe(true);
    }
  });

  it('returns a port a service can listen on, on every interface', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', resolve);
    });
    await new Promise((r) => server.close(r));
  });
});
