// The real infrastructure of the local stack: Kafka (KRaft, single node), FerretDB (on SQLite, or
// on a PostgreSQL cluster of the stack's own: FERRETDB_BACKEND), Prometheus and Alertmanager, each
// a child process with its data under the layout's folder.
import { randomUUID } from 'node:crypto';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { ManagedProcess, processAlive, waitFor, type ProcessSpec } from './process';
import { alertmanagerUrl, dataDir, logDir, postgresPort, postgresSocketDir, prometheusUrl, type StackLayout } from './layout';
import {
  alertmanagerBinary,
  chooseFerretdbBackend,
  ferretdbBackend,
  ferretdbBinary,
  kafkaLibsDir,
  postgresProgram,
  prometheusBinary,
  repoRoot,
  type FerretdbBackend,
} from './paths';
import { FERRETDB_PG_DATABASE, FERRETDB_PG_ROLE, createDatabaseArgs, ferretdbArgs, ferretdbPostgresUrl, initdbArgs, passwdIds, postgresArgs } from './backend';
import { startNotificationRecorder, writeLocalAlertmanagerConfig } from './notifications';

export interface Component {
  name: string;
  /** Writes configuration, formats storage: idempotent. */
  prepare: () => void;
  spec: ProcessSpec;
  ready: () => Promise<boolean>;
  url: string;
  /** The next components need it ready before they start (FerretDB needs its PostgreSQL). */
  readyBeforeNext?: boolean;
}

export function tcpOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

export function kafkaComponent(layout: StackLayout): Component {
  const dir = dataDir(layout, 'kafka');
  const config = join(layout.dir, 'config', 'kafka.properties');
  const { kafka, kafkaController } = layout.ports;
  return {
    name: 'kafka',
    url: `127.0.0.1:${kafka}`,
    prepare: () => {
      mkdirSync(join(layout.dir, 'config'), { recursive: true });
      writeFileSync(
        config,
        [
          '# Written by packages/devstack: single-node KRaft broker for the local stack.',
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
          `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
          `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=PLAINTEXT',
          'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
          `log.dirs=${dir}`,
          // One node: internal topics cannot have more replicas than brokers.
          'offsets.topic.replication.factor=1',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          'default.replication.factor=1',
          'min.insync.replicas=1',
          // Topics are created by our own step with chosen partitions and retention.
          'auto.create.topics.enable=false',
          'num.partitions=3',
          'group.initial.rebalance.delay.ms=0',
          'message.max.bytes=1048588',
          '',
        ].join('\n'),
      );
      if (!existsSync(join(dir, 'meta.properties'))) {
        mkdirSync(dir, { recursive: true });
        const clusterId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
        mkdirSync(logDir(layout), { recursive: true });
        const log = openSync(join(logDir(layout), 'kafka-format.log'), 'a');
        try {
          execFileSync('java', ['-cp', `${kafkaLibsDir()}/*`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config], {
            stdio: ['ignore', log, log],
          });
        } finally {
          closeSync(log);
        }
      }
    },
    spec: {
      name: 'kafka',
      command: 'java',
      args: [
        '-Xms256m',
        '-Xmx768m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info',
        '-cp',
        `${kafkaLibsDir()}/*`,
        'kafka.Kafka',
        config,
      ],
      logFile: join(logDir(layout), 'kafka.log'),
    },
    ready: () => tcpOpen(kafka),
  };
}

export function ferretdbComponent(layout: StackLayout, backend: FerretdbBackend = ferretdbBackend()): Component {
  const dir = dataDir(layout, 'ferretdb');
  return {
    name: 'ferretdb',
    url: `mongodb://127.0.0.1:${layout.ports.mongo}`,
    prepare: () => mkdirSync(dir, { recursive: true }),
    spec: {
      name: 'ferretdb',
      command: ferretdbBinary(),
      args: ferretdbArgs({
        backend,
        listen: `127.0.0.1:${layout.ports.mongo}`,
        stateDir: dir,
        ...(backend === 'postgresql' ? { postgresPort: postgresPort(layout) } : {}),
      }),
      logFile: join(logDir(layout), 'ferretdb.log'),
    },
    ready: () => tcpOpen(layout.ports.mongo),
  };
}

/**
 * The unprivileged user postgres runs as when we are root (it refuses to run as root): `postgres`,
 * which Debian's package creates. Not root: postgres runs as we do.
 */
export function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let line = '';
  try {
    line = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  } catch {
    // no such user
  }
  const ids = passwdIds(line);
  if (!ids) throw new Error("no `postgres` user to run PostgreSQL as (root may not): run `npm run provision`, which installs Debian's postgresql");
  return ids;
}

/** Exit status 0 of pg_isready: the server accepts connections (not merely listening while it starts or recovers). */
const pgIsReady = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    execFile(
      postgresProgram('pg_isready'),
      ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', FERRETDB_PG_ROLE, '-d', FERRETDB_PG_DATABASE],
      { timeout: 5000 },
      (err) => resolve(!err),
    );
  });

/**
 * PostgreSQL for FerretDB's `postgresql` backend: a cluster in the stack's folder, created on the
 * first start (initdb, then FerretDB's database in single-user mode, in a side folder renamed into
 * place, so a start killed half-way leaves no half-made cluster behind), run as `postgres`.
 */
export function postgresqlComponent(layout: StackLayout): Component {
  const dir = dataDir(layout, 'postgresql');
  const socketDir = postgresSocketDir(layout);
  const port = postgresPort(layout);
  const owner = postgresOwner();
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const logFile = join(logDir(layout), 'postgresql.log');
  return {
    name: 'postgresql',
    url: ferretdbPostgresUrl(port),
    readyBeforeNext: true,
    prepare: () => {
      mkdirSync(socketDir, { recursive: true });
      if (owner) chownSync(socketDir, owner.uid, owner.gid);
      if (existsSync(join(dir, 'PG_VERSION'))) return;
      mkdirSync(logDir(layout), { recursive: true });
      const fresh = `${dir}.init`;
      rmSync(fresh, { recursive: true, force: true });
      // The parents with the default mode (the owner must reach the cluster), the cluster itself 0700 (postgres insists).
      mkdirSync(dirname(fresh), { recursive: true });
      mkdirSync(fresh, { mode: 0o700 });
      if (owner) chownSync(fresh, owner.uid, owner.gid);
      const log = openSync(logFile, 'a');
      try {
        // cwd: a folder the owner may read (it may not read root's home, where we may have been started).
        execFileSync(postgresProgram('initdb'), initdbArgs(fresh), { cwd: layout.dir, stdio: ['ignore', log, log], ...asOwner });
        // Single-user mode exits 0 even when the statement failed: its output says.
        const create = createDatabaseArgs(fresh);
        const single = spawnSync(postgresProgram('postgres'), create.args, { cwd: layout.dir, input: create.input, encoding: 'utf8', ...asOwner });
        writeSync(log, `${single.stdout ?? ''}${single.stderr ?? ''}\n`);
        if (single.error) throw single.error;
        if (single.status !== 0 || /\b(ERROR|FATAL):/.test(`${single.stdout}${single.stderr}`))
          throw new Error(`CREATE DATABASE ${FERRETDB_PG_DATABASE} in single-user mode failed`);
      } catch (err) {
        throw new Error(`creating the PostgreSQL cluster in ${fresh} failed (${(err as Error).message.split('\n')[0]}); see ${logFile}`);
      } finally {
        closeSync(log);
      }
      rmSync(dir, { recursive: true, force: true });
      renameSync(fresh, dir);
    },
    spec: {
      name: 'postgresql',
      command: postgresProgram('postgres'),
      args: postgresArgs({ dataDir: dir, port, socketDir }),
      cwd: layout.dir,
      logFile,
      stopSignal: 'SIGINT',
      ...asOwner,
    },
    ready: () => pgIsReady(port),
  };
}

export function prometheusComponent(layout: StackLayout, writeConfig: (file: string) => void): Component {
  const dir = dataDir(layout, 'prometheus');
  const config = join(layout.dir, 'config', 'prometheus.yml');
  return {
    name: 'prometheus',
    url: prometheusUrl(layout),
    prepare: () => {
      mkdirSync(dir, { recursive: true });
      mkdirSync(join(layout.dir, 'config'), { recursive: true });
      writeConfig(config);
    },
    spec: {
      name: 'prometheus',
      // The release docker-compose.yml runs, built by bootstrap.sh (versions.env). Built from the Go
      // module it serves no web UI; the HTTP API, all the stack and the tests use, is complete.
      command: prometheusBinary(),
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${dir}`,
        `--web.listen-address=127.0.0.1:${layout.ports.prometheus}`,
        '--web.enable-lifecycle',
        '--web.enable-admin-api',
        '--log.level=warn',
      ],
      cwd: repoRoot,
      logFile: join(logDir(layout), 'prometheus.log'),
    },
    ready: () => httpOk(`${prometheusUrl(layout)}/-/ready`),
  };
}

export function alertmanagerComponent(layout: StackLayout): Component {
  const dir = dataDir(layout, 'alertmanager');
  // Rendered by the alerting service's generator, every receiver posting to the stack's recorder
  // (notifications.ts): notifications land in <stack>/notifications.jsonl.
  const config = join(layout.dir, 'config', 'alertmanager.yml');
  return {
    name: 'alertmanager',
    url: alertmanagerUrl(layout),
    prepare: () => {
      mkdirSync(dir, { recursive: true });
      mkdirSync(join(layout.dir, 'config'), { recursive: true });
      startNotificationRecorder(layout);
      writeLocalAlertmanagerConfig(layout, config);
    },
    spec: {
      name: 'alertmanager',
      command: alertmanagerBinary(),
      args: [
        `--config.file=${config}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${layout.ports.alertmanager}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      logFile: join(logDir(layout), 'alertmanager.log'),
    },
    ready: () => httpOk(`${alertmanagerUrl(layout)}/-/ready`),
  };
}

export function managed(component: Component, layout: StackLayout): ManagedProcess {
  return new ManagedProcess(component.spec, join(layout.dir, 'pids'));
}

/** Where Stack.up notes the backend it started FerretDB on. */
export const backendNote = (layout: StackLayout): string => join(layout.dir, 'ferretdb-backend');

/**
 * The backend a running stack's FerretDB was started on, else the configured one. A restart from
 * another process (packages/chaos, under turbo, which passes no FERRETDB_BACKEND through) must use
 * the stack's, not its own environment's.
 */
export function stackBackend(layout: StackLayout): FerretdbBackend {
  return existsSync(backendNote(layout)) ? chooseFerretdbBackend(readFileSync(backendNote(layout), 'utf8'), undefined) : ferretdbBackend();
}

/** The infrastructure component of a layout by name (what `Stack.up` starts). */
export function infraComponent(layout: StackLayout, name: 'kafka' | 'ferretdb'): Component {
  return name === 'kafka' ? kafkaComponent(layout) : ferretdbComponent(layout, stackBackend(layout));
}

export interface InfraRestart {
  name: string;
  oldPid: number;
  newPid: number;
  /** From the signal until the component answered its readiness check again. */
  downMs: number;
}

/**
 * Fault injection (packages/chaos): kills a running infrastructure component of a stack with
 * `signal` (SIGKILL: a crash), keeps it down for `downMs`, and starts it again with the same
 * command, ports and data, then waits until it is ready. The stack that started it may be another
 * process: the replacement runs detached (it outlives the caller, like the original) and its pid
 * goes into the same pid file, which `Stack.down` and `npm run stack -- down` stop.
 */
export async function restartInfra(
  layout: StackLayout,
  name: 'kafka' | 'ferretdb',
  opts: { signal?: NodeJS.Signals; downMs?: number; readyTimeoutMs?: number } = {},
): Promise<InfraRestart> {
  const component = infraComponent(layout, name);
  const pidFile = join(layout.dir, 'pids', `${name}.pid`);
  if (!existsSync(pidFile)) throw new Error(`${name} of ${layout.name} is not running (no ${pidFile})`);
  const oldPid = Number(readFileSync(pidFile, 'utf8'));
  if (!(oldPid > 0) || !processAlive(oldPid)) throw new Error(`${name} of ${layout.name} is not running (pid ${oldPid} in ${pidFile})`);
  const started = Date.now();
  process.kill(oldPid, opts.signal ?? 'SIGKILL');
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (let i = 0; processAlive(oldPid); i++) {
    if (i > 600) throw new Error(`${name} (pid ${oldPid}) did not exit within 60 s of ${opts.signal ?? 'SIGKILL'}`);
    await wait(100);
  }
  // The process that started it removes the pid file when it sees the exit: let it, then write ours.
  for (let i = 0; i < 20 && existsSync(pidFile); i++) await wait(100);
  await wait(opts.downMs ?? 0);
  component.prepare();
  mkdirSync(logDir(layout), { recursive: true });
  const fd = openSync(component.spec.logFile, 'a');
  const child = spawn(component.spec.command, component.spec.args, {
    cwd: component.spec.cwd,
    env: { ...process.env, ...component.spec.env },
    stdio: ['ignore', fd, fd],
    detached: true,
    ...(component.spec.uid !== undefined ? { uid: component.spec.uid } : {}),
    ...(component.spec.gid !== undefined ? { gid: component.spec.gid } : {}),
  });
  closeSync(fd);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  await waitFor(`${name} after restart`, component.ready, opts.readyTimeoutMs ?? 120000, component.spec.logFile);
  return { name, oldPid, newPid: child.pid!, downMs: Date.now() - started };
}
