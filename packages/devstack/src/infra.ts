// The real infrastructure of the local stack: Kafka (KRaft, single node), FerretDB (SQLite),
// Prometheus and Alertmanager, each a child process with its data under the layout's folder.
import { randomUUID } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess, processAlive, waitFor, type ProcessSpec } from './process';
import { alertmanagerUrl, dataDir, logDir, prometheusUrl, type StackLayout } from './layout';
import { ferretdbBinary, kafkaLibsDir, repoRoot } from './paths';

export interface Component {
  name: string;
  /** Writes configuration, formats storage: idempotent. */
  prepare: () => void;
  spec: ProcessSpec;
  ready: () => Promise<boolean>;
  url: string;
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

export function ferretdbComponent(layout: StackLayout): Component {
  const dir = dataDir(layout, 'ferretdb');
  return {
    name: 'ferretdb',
    url: `mongodb://127.0.0.1:${layout.ports.mongo}`,
    prepare: () => mkdirSync(dir, { recursive: true }),
    spec: {
      name: 'ferretdb',
      command: ferretdbBinary(),
      args: [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${layout.ports.mongo}`,
        `--state-dir=${dir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      logFile: join(logDir(layout), 'ferretdb.log'),
    },
    ready: () => tcpOpen(layout.ports.mongo),
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
      command: 'prometheus',
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
  return {
    name: 'alertmanager',
    url: alertmanagerUrl(layout),
    prepare: () => mkdirSync(dir, { recursive: true }),
    spec: {
      name: 'alertmanager',
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${join(repoRoot, 'infra/alertmanager/alertmanager.yml')}`,
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


/** The infrastructure component of a layout by name (what `Stack.up` starts). */
export function infraComponent(layout: StackLayout, name: 'kafka' | 'ferretdb'): Component {
  return name === 'kafka' ? kafkaComponent(layout) : ferretdbComponent(layout);
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
