// A FerretDB of its own for a bench, on the backend asked for, with the devstack's components (the
// same command lines `npm start` runs): SQLite, or PostgreSQL started first (initdb on first
// start, `postgres` as a child process). Each backend has its folder and ports (3xxxx: bench
// ports), wiped before the start, so every run measures a fresh instance.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  Stack,
  dataDir,
  ferretdbComponent,
  localDir,
  managed,
  postgresqlComponent,
  waitFor,
  type Component,
  type FerretdbBackend,
  type ManagedProcess,
  type StackLayout,
} from '@siliconalley/devstack';

/** Only `mongo` and `postgres` are used; the others are the bench stack's, never started here. */
const basePorts = { kafka: 39092, kafkaController: 39192, prometheus: 39090, alertmanager: 39093, serviceBase: 39100, gateway: 38080 };

export const backendBenchLayout = (backend: FerretdbBackend): StackLayout => ({
  name: 'test-stack',
  dir: join(localDir, `bench-ferretdb-${backend}`),
  ports: backend === 'sqlite' ? { ...basePorts, mongo: 37127 } : { ...basePorts, mongo: 37227, postgres: 35433 },
});

export interface FerretdbInstance {
  backend: FerretdbBackend;
  layout: StackLayout;
  /** mongodb://127.0.0.1:port (no database). */
  url: string;
  /** Bytes on disk of the backend's storage (SQLite files, or the PostgreSQL cluster with its WAL). */
  diskBytes: () => number;
  stop: () => Promise<void>;
}

export async function startFerretdb(backend: FerretdbBackend, say: (line: string) => void = () => undefined): Promise<FerretdbInstance> {
  const layout = backendBenchLayout(backend);
  // A bench killed earlier may have left its processes: stop them before wiping their folder.
  await new Stack({ layout }).killStale();
  rmSync(layout.dir, { recursive: true, force: true });
  const components: Component[] = [...(backend === 'postgresql' ? [postgresqlComponent(layout)] : []), ferretdbComponent(layout, backend)];
  const running: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of running.splice(0).reverse()) await p.stop(p.spec.name === 'postgresql' ? 60000 : 20000);
  };
  try {
    for (const c of components) {
      say(`starting ${c.name} (${backend}; log: ${c.spec.logFile})`);
      c.prepare();
      const p = managed(c, layout);
      await p.start((code, signal) => say(`${c.name} exited unexpectedly (code ${code}, signal ${signal}); see ${c.spec.logFile}`));
      running.push(p);
      await waitFor(c.name, c.ready, 90000, c.spec.logFile);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const storage = dataDir(layout, backend === 'sqlite' ? 'ferretdb' : 'postgresql');
  return {
    backend,
    layout,
    url: `mongodb://127.0.0.1:${layout.ports.mongo}`,
    diskBytes: () => Number(execFileSync('du', ['-sb', storage], { encoding: 'utf8' }).split(/\s/)[0]),
    stop,
  };
}
