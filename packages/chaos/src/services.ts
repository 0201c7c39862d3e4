// The services as child processes, as an orchestrator runs them: SIGKILL (no chance to clean up),
// SIGSTOP/SIGCONT (a frozen process), and restarts on the same ports. A service that exits by
// itself (a consumer that gives up exits so that it is restarted) is restarted too, and counted.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, repoRoot } from '@siliconalley/devstack';

export { freePort };

export interface ServiceSpec {
  name: string;
  workspace: 'ingest' | 'indicator' | 'alerting' | 'gateway';
  env: Record<string, string>;
  opsPort: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Every service process started and not yet stopped, so an interrupted run stops them all. */
const live = new Set<ServiceProcess>();

/** Stops every service this process started (Ctrl-C of the chaos CLI: none is left running). */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

export class ServiceProcess {
  private child: ChildProcess | null = null;
  private expectedExit = false;
  private closed = false;
  starts = 0;
  kills = 0;
  pauses = 0;
  /** Exits nobody asked for (the service gave up and exited), each followed by a restart. */
  unexpectedExits: { code: number | null; signal: string | null }[] = [];

  constructor(
    readonly spec: ServiceSpec,
    readonly logFile: string,
    private readonly say: (line: string) => void,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The running process's id (null when not running). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    // Stopped for good (the run ended or was interrupted): a restart still scheduled is dropped.
    if (this.closed) return;
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--enable-source-maps', join(repoRoot, 'services', this.spec.workspace, 'dist', 'index.js')], {
      env: { ...process.env, ...this.spec.env, OPS_PORT: String(this.spec.opsPort) },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.expectedExit = false;
    this.starts += 1;
    live.add(this);
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.expectedExit || this.closed) return;
      this.unexpectedExits.push({ code, signal });
      this.say(`[chaos] ${this.name} exited by itself (code ${code}, signal ${signal}); restarting it`);
      setTimeout(() => {
        if (!this.closed && !this.child) this.start();
      }, 1000);
    });
  }

  async ready(): Promise<boolean> {
    return this.child !== null && httpOk(`http://127.0.0.1:${this.spec.opsPort}/readyz`);
  }

  async waitReady(timeoutMs = 180000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.ready())) {
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs / 1000} s; see ${this.logFile}`);
      await sleep(250);
    }
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectedExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** SIGKILL: the process dies mid-whatever it was doing. */
  async kill(): Promise<void> {
    if (!this.child) throw new Error(`${this.name} is not running`);
    this.kills += 1;
    await this.signalAndWait('SIGKILL');
  }

  /** SIGSTOP for `ms`, then SIGCONT: a frozen process (GC pause, VM stall) past its session timeout. */
  async pause(ms: number): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`${this.name} is not running`);
    this.pauses += 1;
    child.kill('SIGSTOP');
    await sleep(ms);
    child.kill('SIGCONT');
  }

  /** SIGTERM (graceful: the service drains and commits), SIGKILL after 30 s; no restart. */
  async stop(): Promise<void> {
    this.closed = true;
    live.delete(this);
    const child = this.child;
    if (!child) return;
    child.kill('SIGCONT');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([exited.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 30000)))]);
    // A pending 30 s timer kept the test runner (and an interrupted CLI) waiting after the run.
    clearTimeout(timer);
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
