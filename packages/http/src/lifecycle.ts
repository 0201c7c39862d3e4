// Graceful shutdown in a defined order (n8n style): stop taking work, finish in-flight work,
// commit, close the database. Steps run in registration order on SIGINT/SIGTERM.
import type { Server } from 'node:http';
import type { Logger } from '@siliconalley/logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export class Lifecycle {
  private readonly steps: ShutdownStep[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = 30000,
  ) {}

  /** Adds a shutdown step; steps run in the order they were added. */
  onShutdown(name: string, run: () => Promise<void>): this {
    this.steps.push({ name, run });
    return this;
  }

  /** Runs every step once, even if one fails; resolves when all ran. */
  shutdown(reason: string): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.logger.info({ reason }, 'shutting down');
        for (const step of this.steps) {
          try {
            await step.run();
            this.logger.info({ step: step.name }, 'shutdown step done');
          } catch (err) {
            this.logger.error({ err, step: step.name }, 'shutdown step failed');
          }
        }
      })();
    }
    return this.stopping;
  }

  /** Installs SIGINT/SIGTERM handlers and crash handlers that shut down before exiting. */
  installSignalHandlers(): void {
    const exitAfter = (code: number, reason: string) => {
      const timer = setTimeout(() => {
        this.logger.error({ reason }, 'shutdown timed out; exiting');
        process.exit(code || 1);
      }, this.timeoutMs);
      timer.unref();
      void this.shutdown(reason).then(() => process.exit(code));
    };
    process.once('SIGINT', () => exitAfter(0, 'SIGINT'));
    process.once('SIGTERM', () => exitAfter(0, 'SIGTERM'));
    process.on('unhandledRejection', (err) => {
      this.logger.fatal({ err }, 'unhandled promise rejection');
      exitAfter(1, 'unhandledRejection');
    });
    process.on('uncaughtException', (err) => {
      this.logger.fatal({ err }, 'uncaught exception');
      exitAfter(1, 'uncaughtException');
    });
  }
}

/** Where servers listen unless told otherwise: this host only (HTTP_HOST / OPS_HOST open them up). */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

/**
 * Listens (on loopback unless `host` says otherwise) and resolves once bound; the returned closer
 * stops accepting and waits for open requests.
 */
export function listen(
  app: { listen: (port: number, host: string, cb: (err?: Error) => void) => Server },
  port: number,
  host = DEFAULT_LISTEN_HOST,
): Promise<{ server: Server; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    // Express 5 calls back with the error when it cannot listen (a port in use): not a success,
    // or a service would run "started" without its port.
    const server = app.listen(port, host, (err?: Error) => {
      if (err) {
        reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
        return;
      }
      resolve({
        server,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            server.closeIdleConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}

/**
 * A service's entry point: builds its config and starts it, then installs the signal handlers. A
 * configuration problem is printed as its readable list; anything else with its stack, which says
 * where it happened (a one-line "cannot read properties of null" kept a restarting indicator a mystery).
 */
export function runService(name: string, start: () => Promise<{ lifecycle: Lifecycle }>): void {
  Promise.resolve()
    .then(start)
    .then(({ lifecycle }) => lifecycle.installSignalHandlers())
    .catch((err: unknown) => {
      const e = err as Error | undefined;
      process.stderr.write(`${name} failed to start: ${e?.name === 'ConfigError' ? e.message : (e?.stack ?? String(err))}
`);
      process.exit(1);
    });
}
