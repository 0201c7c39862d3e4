// Services as child processes, so each one's memory is its own: peak RSS is the kernel's
// high-water mark (VmHWM in /proc/<pid>/status), read before the process is stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, localDir, repoRoot } from '@siliconalley/devstack';

export { freePort };
import { sleep, until } from './stats';

export const benchLogDir = (): string => join(localDir, 'bench-logs');

/** Peak and current resident memory of a live process, in bytes (Linux). */
export function residentMemory(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN) * 1024;
  return { peak: kib('VmHWM'), current: kib('VmRSS') };
}

export interface ServiceProcess {
  name: string;
  opsPort: number;
  child: ChildProcess;
  logFile: string;
  /** Peak RSS so far (bytes). */
  peakRss: () => number;
  metricsUrl: string;
  waitReady: (timeoutMs?: number) => Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL after 20 s. */
  stop: () => Promise<void>;
}

/** Starts services/<workspace>/dist/index.js with `env` on top of this process's environment. */
export async function startService(name: string, workspace: string, env: Record<string, string>): Promise<ServiceProcess> {
  mkdirSync(benchLogDir(), { recursive: true });
  const opsPort = Number(env.OPS_PORT ?? (await freePort()));
  const logFile = join(benchLogDir(), `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(repoRoot, 'services', workspace, 'dist', 'index.js')], {
    env: { ...process.env, NODE_ENV: 'production', SERVICE_NAME: name, LOG_LEVEL: 'warn', ...env, OPS_PORT: String(opsPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  let lastPeak = 0;
  const peakRss = () => {
    if (exited === null && child.pid) {
      try {
        lastPeak = Math.max(lastPeak, residentMemory(child.pid).peak);
      } catch {
        // gone between the check and the read: keep the last figure
      }
    }
    return lastPeak;
  };
  const metricsUrl = `http://127.0.0.1:${opsPort}/metrics`;
  return {
    name,
    opsPort,
    child,
    logFile,
    peakRss,
    metricsUrl,
    waitReady: (timeoutMs = 120_000) =>
      until(
        `${name} ready (log: ${logFile})`,
        async () => {
          if (exited !== null) throw new Error(`${name} exited with ${exited}: see ${logFile}`);
          peakRss();
          return fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
            (r) => r.ok,
            () => false,
          );
        },
        timeoutMs,
      ),
    stop: async () => {
      peakRss();
      if (exited !== null) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 200 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    },
  };
}
