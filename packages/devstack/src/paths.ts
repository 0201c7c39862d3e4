import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { alertmanagerBinary, amtoolBinary, prometheusBinary, promtoolBinary } from '@siliconalley/testkit';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'turbo.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot(__dirname);
export const localDir = join(repoRoot, '.local');
export const toolsDir = join(localDir, 'tools');

/** shared/ lies beside the checkout (read-only specs and fixtures). */
export const sharedDir = (): string => process.env.SHARED_DIR ?? resolve(repoRoot, '..', 'shared');

const versionsEnv = (): string => readFileSync(join(repoRoot, 'infra/local/versions.env'), 'utf8');

/** A `KEY=value` line of versions.env (the shell sources the same file). */
export function envFileValue(text: string, key: string): string | undefined {
  return (
    new RegExp(`^${key}=(.+)$`, 'm')
      .exec(text)?.[1]
      ?.replace(/\s+#.*$/, '')
      .trim() || undefined
  );
}

export function componentVersions(): { node: string; kafka: string; ferretdb: string; prometheus: string; prometheusModule: string; alertmanager: string } {
  const text = versionsEnv();
  const get = (k: string) => {
    const v = envFileValue(text, k);
    if (!v) throw new Error(`infra/local/versions.env lacks ${k}`);
    return v;
  };
  return {
    node: get('NODE_VERSION'),
    kafka: get('KAFKA_VERSION'),
    ferretdb: get('FERRETDB_VERSION'),
    prometheus: get('PROMETHEUS_VERSION'),
    prometheusModule: get('PROMETHEUS_MODULE_VERSION'),
    alertmanager: get('ALERTMANAGER_VERSION'),
  };
}

/** FerretDB's storage in the local stacks (production runs MongoDB 7, docker-compose.yml). */
export const FERRETDB_BACKENDS = ['sqlite', 'postgresql'] as const;
export type FerretdbBackend = (typeof FERRETDB_BACKENDS)[number];

/** The FERRETDB_BACKEND environment variable wins over versions.env's line; unset in both: sqlite. */
export function chooseFerretdbBackend(fromEnv: string | undefined, fromFile: string | undefined): FerretdbBackend {
  const value = (fromEnv?.trim() || fromFile || 'sqlite').toLowerCase();
  if (!(FERRETDB_BACKENDS as readonly string[]).includes(value)) {
    throw new Error(`FERRETDB_BACKEND=${value} is not one of ${FERRETDB_BACKENDS.join(', ')}`);
  }
  return value as FerretdbBackend;
}

export const ferretdbBackend = (): FerretdbBackend => chooseFerretdbBackend(process.env.FERRETDB_BACKEND, envFileValue(versionsEnv(), 'FERRETDB_BACKEND'));

export const kafkaLibsDir = () => join(toolsDir, `kafka-${componentVersions().kafka}`, 'libs');
export const ferretdbBinary = () => join(toolsDir, 'bin', `ferretdb-${componentVersions().ferretdb}`);
/**
 * Prometheus, promtool, Alertmanager and amtool of versions.env, as bootstrap.sh builds them
 * (.local/tools/bin/prometheus-<version>/, alertmanager-<version>/). Their home is packages/testkit
 * (tools.ts), which the tests use without the devstack; re-exported here beside the other components.
 */
export { alertmanagerBinary, amtoolBinary, prometheusBinary, promtoolBinary };

/**
 * Debian installs the PostgreSQL server outside the PATH, one folder per major version
 * (/usr/lib/postgresql/15/bin): the newest major wins. POSTGRES_BIN_DIR overrides (another layout,
 * e.g. Homebrew's); with neither, the PATH's `postgres` is used.
 */
export function newestPostgresMajor(entries: readonly string[]): string | undefined {
  return entries.filter((e) => /^\d+(\.\d+)?$/.test(e)).sort((a, b) => Number(b) - Number(a))[0];
}

export function postgresBinDir(root = '/usr/lib/postgresql'): string | undefined {
  if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
  let entries: string[] = [];
  try {
    entries = readdirSync(root).filter((e) => existsSync(join(root, e, 'bin', 'postgres')));
  } catch {
    // not Debian's layout
  }
  const major = newestPostgresMajor(entries);
  return major ? join(root, major, 'bin') : undefined;
}

/** A PostgreSQL server program (postgres, initdb, pg_isready) by name. */
export const postgresProgram = (name: string): string => {
  const dir = postgresBinDir();
  return dir ? join(dir, name) : name;
};
