// Starts and stops the local stack in a defined order: infrastructure first (Kafka, PostgreSQL when
// FerretDB runs on it, FerretDB, Prometheus, Alertmanager), then topics and services; stopping runs
// the reverse order.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@siliconalley/logger';
import { KafkaClient } from '@siliconalley/kafka';
import {
  alertmanagerComponent,
  backendNote,
  ferretdbComponent,
  httpOk,
  kafkaComponent,
  managed,
  postgresqlComponent,
  prometheusComponent,
  type Component,
} from './infra';
import { ferretdbBackend } from './paths';
import { kafkaBrokers, logDir, type StackLayout } from './layout';
import { ensureInternalSecret } from './internal-secret';
import { ManagedProcess, waitFor } from './process';
import { SERVICES, localPrometheusConfig, opsPort, serviceEntry, serviceEnv, type ServiceDef } from './services';
import { topicSpecs } from './topics';

export interface StackOptions {
  layout: StackLayout;
  fresh?: boolean;
  /** Services to run; none for the test stack (tests start what they need). */
  services?: ServiceDef[];
  /**
   * Services Prometheus scrapes (default: those it starts). The test stack starts none but scrapes
   * all, on the layout's ports, so tests that run services there are seen by the real Prometheus.
   */
  scrape?: ServiceDef[];
  say?: (line: string) => void;
}

export class Stack {
  private readonly infra: { component: Component; process: ManagedProcess }[] = [];
  private readonly services: { def: ServiceDef; process: ManagedProcess }[] = [];
  private readonly say: (line: string) => void;
  private stopping = false;

  constructor(private readonly opts: StackOptions) {
    this.say = opts.say ?? ((l) => process.stdout.write(`${l}\n`));
  }

  get layout(): StackLayout {
    return this.opts.layout;
  }

  /**
   * Starts the infrastructure, creates the topics, runs `beforeServices` (the demo replay: published
   * before any service runs, so that no service ever sees half of it as if it were all there), then
   * starts the services.
   */
  async up(beforeServices?: () => Promise<void>): Promise<void> {
    const { layout } = this.opts;
    if (this.opts.fresh && existsSync(layout.dir)) {
      this.say(`[stack] --fresh: wiping ${layout.dir}`);
      await this.killStale();
      rmSync(layout.dir, { recursive: true, force: true });
    }
    const services = this.opts.services ?? [];
    const backend = ferretdbBackend();
    // Each component stops its own stale process when it starts; a PostgreSQL left by a crashed run
    // on the other backend would not be started again, so it is stopped here.
    if (backend !== 'postgresql') await ManagedProcess.killStale(join(layout.dir, 'pids', 'postgresql.pid'), 'SIGINT');
    mkdirSync(layout.dir, { recursive: true });
    writeFileSync(backendNote(layout), backend);
    const components = [
      kafkaComponent(layout),
      ...(backend === 'postgresql' ? [postgresqlComponent(layout)] : []),
      ferretdbComponent(layout, backend),
      prometheusComponent(layout, (file) => writeFileSync(file, localPrometheusConfig(layout, this.opts.scrape ?? services))),
      alertmanagerComponent(layout),
    ];
    for (const component of components) {
      this.say(`[stack] starting ${component.name} (log: ${component.spec.logFile})`);
      component.prepare();
      const proc = managed(component, layout);
      await proc.start((code, signal) => this.onUnexpectedExit(component.name, code, signal, component.spec.logFile));
      this.infra.push({ component, process: proc });
      if (component.readyBeforeNext) await waitFor(component.name, component.ready, 90000, component.spec.logFile);
    }
    for (const { component } of this.infra) {
      await waitFor(component.name, component.ready, 90000, component.spec.logFile);
    }
    await this.createTopics();
    await beforeServices?.();
    for (const def of services) await this.startService(def);
  }

  private async createTopics(): Promise<void> {
    const client = new KafkaClient({
      brokers: [kafkaBrokers(this.opts.layout)],
      clientId: 'devstack',
      logger: createLogger('devstack', 'warn'),
    });
    // The broker accepts connections a moment before its metadata is ready.
    await waitFor('kafka metadata', () => client.ping(), 60000, join(logDir(this.opts.layout), 'kafka.log'));
    const created = await client.ensureTopics(topicSpecs(''));
    if (created.length) this.say(`[stack] created topics: ${created.join(', ')}`);
    await client.close();
  }

  async startService(def: ServiceDef): Promise<ManagedProcess> {
    const { layout } = this.opts;
    const entry = serviceEntry(def);
    if (!existsSync(entry)) throw new Error(`${def.name}: ${entry} is missing; run \`npm run build\``);
    const proc = new ManagedProcess(
      {
        name: def.name,
        command: process.execPath,
        args: ['--enable-source-maps', entry],
        // The stack folder's secret, as a file (made on first use, 0600), for the services that need it.
        env: { ...serviceEnv(layout, def), ...(def.internalApi ? { INTERNAL_API_SECRET_FILE: ensureInternalSecret(layout) } : {}) },
        logFile: join(logDir(layout), `${def.name}.log`),
      },
      join(layout.dir, 'pids'),
    );
    this.say(`[stack] starting ${def.name} (log: ${proc.spec.logFile})`);
    await proc.start((code, signal) => this.onUnexpectedExit(def.name, code, signal, proc.spec.logFile));
    await waitFor(def.name, () => httpOk(`http://127.0.0.1:${opsPort(layout, def)}/readyz`), 60000, proc.spec.logFile);
    this.services.push({ def, process: proc });
    return proc;
  }

  private onUnexpectedExit(name: string, code: number | null, signal: string | null, log: string): void {
    if (this.stopping) return;
    this.say(`[stack] ${name} exited unexpectedly (code ${code}, signal ${signal}); see ${log}`);
  }

  /** Services first (they drain and commit), then Alertmanager, Prometheus, FerretDB, its PostgreSQL, Kafka. */
  async down(): Promise<void> {
    this.stopping = true;
    for (const { def, process: p } of [...this.services].reverse()) {
      this.say(`[stack] stopping ${def.name}`);
      await p.stop();
    }
    for (const { component, process: p } of [...this.infra].reverse()) {
      this.say(`[stack] stopping ${component.name}`);
      await p.stop(component.name === 'kafka' || component.name === 'postgresql' ? 60000 : 20000);
      // A replacement started by fault injection (infra.ts restartInfra) is in the pid file, not ours.
      await ManagedProcess.killStale(join(this.opts.layout.dir, 'pids', `${component.name}.pid`), component.spec.stopSignal);
    }
  }

  /** Stops processes that an earlier run left behind (it was killed before it could clean up). */
  async killStale(): Promise<void> {
    const pidDir = join(this.opts.layout.dir, 'pids');
    // PostgreSQL whichever the backend now: an earlier run may have used it. SIGINT is its fast clean shutdown.
    for (const name of [...SERVICES.map((s) => s.name), 'alertmanager', 'prometheus', 'ferretdb', 'postgresql', 'kafka']) {
      await ManagedProcess.killStale(join(pidDir, `${name}.pid`), name === 'postgresql' ? 'SIGINT' : 'SIGTERM');
    }
  }
}
