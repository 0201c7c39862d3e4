// FerretDB's two embedded backends as command lines: SQLite (files in the stack's folder) or a
// PostgreSQL cluster of the stack's own (initdb into the stack's folder, `postgres` as a child
// process on a loopback port). Pure: infra.ts runs them, the unit tests read them.
import type { FerretdbBackend } from './paths';

/** The database FerretDB keeps its MongoDB databases in (one PostgreSQL schema each), and its role. */
export const FERRETDB_PG_DATABASE = 'ferretdb';
export const FERRETDB_PG_ROLE = 'ferretdb';

/** Where FerretDB reaches its PostgreSQL: over loopback TCP, as a role without password (trust, loopback only). */
export const ferretdbPostgresUrl = (port: number): string => `postgres://${FERRETDB_PG_ROLE}@127.0.0.1:${port}/${FERRETDB_PG_DATABASE}`;

export interface FerretdbArgsOptions {
  backend: FerretdbBackend;
  /** host:port FerretDB listens on (MongoDB wire protocol). */
  listen: string;
  /** state.json (instance id, telemetry choice); with SQLite also its database files. */
  stateDir: string;
  /** With `postgresql`: the cluster's port (ferretdbPostgresUrl). */
  postgresPort?: number;
}

/** FerretDB 1.24's flags (cmd/ferretdb/main.go): the handler is named `sqlite` or `postgresql`. */
export function ferretdbArgs(o: FerretdbArgsOptions): string[] {
  let storage: string[];
  if (o.backend === 'sqlite') {
    // A directory URI: one SQLite file per MongoDB database.
    storage = ['--handler=sqlite', `--sqlite-url=file:${o.stateDir}/`];
  } else {
    if (o.postgresPort === undefined) throw new Error('FerretDB on PostgreSQL needs the cluster port');
    storage = ['--handler=postgresql', `--postgresql-url=${ferretdbPostgresUrl(o.postgresPort)}`];
  }
  return [...storage, `--listen-addr=${o.listen}`, `--state-dir=${o.stateDir}`, '--debug-addr=-', '--telemetry=disable', '--log-level=warn'];
}

/** initdb of a fresh cluster: FerretDB's role as superuser, trust for local connections (loopback only, see postgresArgs). */
export function initdbArgs(dataDir: string): string[] {
  return [
    `--pgdata=${dataDir}`,
    `--username=${FERRETDB_PG_ROLE}`,
    '--auth=trust',
    // FerretDB stores documents as jsonb: UTF-8; the C locale sorts bytes, as MongoDB's binary comparison does.
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
}

/**
 * The server on loopback only, its socket in the stack's folder (the Debian default,
 * /var/run/postgresql, is the system's). Durability as shipped (fsync, synchronous_commit on):
 * FerretDB's SQLite runs WAL with SQLite's default synchronous=FULL, which syncs every commit too.
 */
export function postgresArgs(o: { dataDir: string; port: number; socketDir: string }): string[] {
  // sun_path holds 108 bytes with the terminating NUL; postgres refuses a longer socket path.
  const socket = `${o.socketDir}/.s.PGSQL.${o.port}`;
  if (Buffer.byteLength(socket) > 107) {
    throw new Error(`PostgreSQL's socket path ${socket} is longer than 107 bytes: move the checkout to a shorter path`);
  }
  return [
    '-D',
    o.dataDir,
    '-p',
    String(o.port),
    '-k',
    o.socketDir,
    '-c',
    'listen_addresses=127.0.0.1',
    // Its own log lines go to stderr (our log file), not to a collector of its own.
    '-c',
    'logging_collector=off',
    // Start, stop, checkpoints and fatal errors; not the ERROR of every duplicate key FerretDB
    // meets in a bulk insert (refused duplicates are normal traffic here), nor their statements.
    '-c',
    'log_min_messages=log',
    '-c',
    'log_min_error_statement=panic',
  ];
}

/** Single-user mode (no server, no port): creates FerretDB's database right after initdb. */
export function createDatabaseArgs(dataDir: string): { args: string[]; input: string } {
  return { args: ['--single', '-D', dataDir, 'postgres'], input: `CREATE DATABASE ${FERRETDB_PG_DATABASE};\n` };
}

/** uid and gid of a `getent passwd NAME` line (name:x:uid:gid:gecos:home:shell). */
export function passwdIds(line: string): { uid: number; gid: number } | null {
  const fields = line.trim().split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  return fields.length >= 4 && fields[2] !== '' && fields[3] !== '' && Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
}
