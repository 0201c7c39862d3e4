// Child processes of the local stack: logs to files, pid files so a crashed `npm start` leaves
// nothing behind (the next start stops stale children), SIGTERM (or the program's own stop signal)
// then SIGKILL on stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  logFile: string;
  /** Run as this user (set when we are root and the program refuses to run as root: postgres). */
  uid?: number;
  gid?: number;
  /** What `stop` sends first (default SIGTERM); postgres takes SIGTERM as "wait for every client to leave", SIGINT as a fast clean shutdown. */
  stopSignal?: NodeJS.Signals;
}

/** Whether a process with this id exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signals a child's process group (each child leads one: spawned detached), or the process alone. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private stopping = false;

  constructor(
    readonly spec: ProcessSpec,
    private readonly pidDir: string,
  ) {}

  get pidFile(): string {
    return join(this.pidDir, `${this.spec.name}.pid`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Kills a process left by an earlier run that died without cleaning up, with its process group.
   * `signal`: the spec's stopSignal (postgres: SIGINT; its server processes lead groups of their
   * own and leave when the postmaster shuts down, so the postmaster is what must be asked).
   */
  static async killStale(pidFile: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0 && processAlive(pid)) {
      signalGroup(pid, signal);
      for (let i = 0; i < 50 && processAlive(pid); i++) await sleep(200);
      if (processAlive(pid)) signalGroup(pid, 'SIGKILL');
    }
    rmSync(pidFile, { force: true });
  }

  async start(onUnexpectedExit?: (code: number | null, signal: string | null) => void): Promise<void> {
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    mkdirSync(this.pidDir, { recursive: true });
    await ManagedProcess.killStale(this.pidFile, this.spec.stopSignal);
    const fd = openSync(this.spec.logFile, 'a');
    // Own process group, so Ctrl-C in the terminal reaches the stack first and we stop children in order.
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', fd, fd],
      detached: true,
      ...(this.spec.uid !== undefined ? { uid: this.spec.uid } : {}),
      ...(this.spec.gid !== undefined ? { gid: this.spec.gid } : {}),
    });
    closeSync(fd);
    this.child = child;
    this.stopping = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        rmSync(this.pidFile, { force: true });
        if (!this.stopping) onUnexpectedExit?.(code, signal);
        resolve(code);
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    writeFileSync(this.pidFile, String(child.pid));
  }

  async stop(timeoutMs = 20000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    child.kill(this.spec.stopSignal ?? 'SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) {
      // The whole group, as killStale does: whatever the child started goes with it.
      signalGroup(child.pid!, 'SIGKILL');
      await this.exited;
    }
  }

  /** For fault injection: no chance to clean up. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    child.kill('SIGKILL');
    await this.exited;
  }
}

/** Polls `check` until it is true or the deadline passes; the error names what we waited for. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logHint?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${Math.round(timeoutMs / 1000)} s${logHint ? `; see ${logHint}` : ''}`);
    await sleep(250);
  }
}
