// MongoDB (production: MongoDB 7) or FerretDB (local, SQLite backend) through mongoose.
// Only features both support are used: no transactions, no change streams, simple queries.
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import type { Logger } from '@siliconalley/logger';

export { mongoose, Schema };
export type { Connection, Model };

export interface DbOptions {
  url: string;
  /** Appended to the database name so tests isolate themselves. */
  namespace?: string;
  logger?: Logger;
  /** Fail fast: a service that cannot reach its database must say so, not hang. */
  serverSelectionTimeoutMS?: number;
}

/**
 * The server-side time limit (`maxTimeMS`) of every read that may scan a collection: FerretDB's
 * SQLite backend scans for any filter (~150 µs a stored event), so such reads take minutes at a
 * million events. A client that gives up on a read (socket timeout, a killed or restarted process)
 * does not stop the server's work; without a limit, abandoned scans pile up and starve every
 * writer. With the limit, the server drops
 * the work itself, and the socket timeout, longer, never abandons a read the server still runs.
 * Cursor streams (full rebuilds, assessments) are not limited: their limit would span every batch.
 */
export const READ_TIME_LIMIT_MS = 240_000;
export const SOCKET_TIMEOUT_MS = READ_TIME_LIMIT_MS + 60_000;

export function databaseUrl(url: string, namespace = ''): string {
  if (!namespace) return url;
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '') || 'siliconalley';
  u.pathname = `/${db}-${namespace}`;
  return u.toString();
}

export async function connectDatabase(opts: DbOptions): Promise<Connection> {
  const url = databaseUrl(opts.url, opts.namespace);
  const conn = mongoose.createConnection(url, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000,
    connectTimeoutMS: 5000,
    // Only a guard against a silent server: reads are bounded on the server by READ_TIME_LIMIT_MS,
    // which must stay below it (see there).
    socketTimeoutMS: SOCKET_TIMEOUT_MS,
    // Indexes are created by an explicit step (`ensureIndexes`), never implicitly on first use.
    autoIndex: false,
    autoCreate: false,
  });
  conn.on('disconnected', () => opts.logger?.warn('database disconnected'));
  conn.on('reconnected', () => opts.logger?.info('database reconnected'));
  try {
    await conn.asPromise();
  } catch (err) {
    await conn.close().catch(() => undefined);
    const safe = new URL(url);
    safe.password = safe.password ? '***' : '';
    throw new Error(`cannot reach the database at ${safe.toString()}: ${(err as Error).message}`);
  }
  opts.logger?.info({ db: conn.name }, 'database connected');
  return conn;
}

/**
 * The explicit index step, run at start for every model: creates the indexes a schema declares and
 * drops those it no longer declares (an index no query uses only costs every insert).
 */
// biome-ignore lint/suspicious/noExplicitAny: models of any document shape
export async function ensureIndexes(models: Model<any>[]): Promise<void> {
  for (const model of models) {
    await model.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await model.syncIndexes();
  }
}

/** Readiness: a cheap round trip. */
export async function pingDatabase(conn: Connection): Promise<boolean> {
  try {
    if (conn.readyState !== 1 || !conn.db) return false;
    await conn.db.admin().ping();
    return true;
  } catch {
    return false;
  }
}

/** True for MongoDB's duplicate-key error (E11000), which FerretDB reports the same way. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 11000;
}

/**
 * The input positions an unordered bulk insert was refused for as duplicates (E11000), when that is
 * all that went wrong; null for any other failure, which the caller must treat as "unknown which
 * documents were written" and retry or fail.
 *
 * Why not just "has writeErrors": the driver wraps a failure that is no verdict on single documents
 * (a connection cut mid-write, a timeout, the server killed) in the same MongoBulkWriteError, with an
 * empty writeErrors list. Read as "nothing refused", that would acknowledge writes that never
 * happened.
 */
export function duplicateKeyRefusals(err: unknown): number[] | null {
  if (typeof err !== 'object' || err === null) return null;
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  if (!Array.isArray(writeErrors) || writeErrors.length === 0) return null;
  // A write-concern failure says nothing about which writes are durable.
  const result = (err as { result?: { getWriteConcernError?: () => unknown } }).result;
  if (typeof result?.getWriteConcernError === 'function' && result.getWriteConcernError()) return null;
  const positions: number[] = [];
  for (const we of writeErrors as { index?: unknown; code?: unknown; err?: { code?: unknown } }[]) {
    const code = we?.code ?? we?.err?.code;
    if (code !== 11000 || typeof we.index !== 'number') return null;
    positions.push(we.index);
  }
  return positions;
}
