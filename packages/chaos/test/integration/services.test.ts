// The chaos run's service processes, on the real test stack: an interrupted run (Ctrl-C of
// `npm run test:chaos`) must leave no service running, also none whose restart was still scheduled.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '@siliconalley/devstack';
import { testEnv } from '@siliconalley/testkit';
import { freePort, ServiceProcess, stopAllServices } from '../../src/services';

jest.setTimeout(120000);

describe('chaos service processes', () => {
  it('stopAllServices stops every service started, and a restart scheduled before it does nothing', async () => {
    const env = testEnv();
    const dir = mkdtempSync(join(tmpdir(), 'sa-chaos-services-'));
    const common = {
      NODE_ENV: 'test',
      KAFKA_BROKERS: env.brokers.join(','),
      MONGO_URL: env.mongoUrl,
      SA_NAMESPACE: env.namespace,
      LOG_LEVEL: 'warn',
      INTERNAL_API_SECRET: env.internalApiSecret,
    };
    const gateway = new ServiceProcess(
      { name: 'gateway', workspace: 'gateway', opsPort: await freePort(), env: { ...common, SERVICE_NAME: 'gateway', HTTP_PORT: String(await freePort()) } },
      join(dir, 'gateway.log'),
      () => undefined,
    );
    gateway.start();
    await gateway.waitReady(60000);
    const pid = gateway.pid!;
    expect(processAlive(pid)).toBe(true);

    await stopAllServices();
    expect(gateway.running).toBe(false);
    expect(processAlive(pid)).toBe(false);
    // The fault plan's restart timer firing after the interrupt.
    gateway.start();
    expect(gateway.running).toBe(false);
  });
});
