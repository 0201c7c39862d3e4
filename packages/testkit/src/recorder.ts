// A TCP relay in front of the real database that records every command its clients send, whichever
// process they run in: the services run as child processes, where the test's in-process driver
// monitoring cannot see. Bytes are forwarded unchanged; the copy is parsed beside them (wire.ts).
// Point a service at `recorder.url(MONGO_URL, 'its-name')`: the name comes back as `app` on each of
// its commands (the driver sends it in the connection handshake).
import { startRelay } from './relay';
import { EJSON, type Document } from 'bson';
import { MessageSplitter, OP_COMPRESSED, parseMessage, type WireMessage } from './wire';

export interface RecordedCommand {
  /** The command's name (its body's first key: find, aggregate, count, insert, update, getMore, hello…); `compressed` or `unreadable` when the message could not be looked into. */
  command: string;
  db: string;
  /** The collection the command names (getMore: its `collection`); null for database-level commands. */
  collection: string | null;
  /** find: `filter`; count, distinct, findAndModify: `query`; update, delete: the statement's `q` (one record per statement). */
  filter?: unknown;
  sort?: unknown;
  /** find: `limit`; delete: the statement's `limit` (0 = all matches, 1 = one). */
  limit?: number;
  /** update: the statement's `multi`. */
  multi?: boolean;
  /** aggregate: `pipeline`. */
  pipeline?: unknown;
  /** insert: how many documents (the documents themselves are not kept). */
  documents?: number;
  /** Why the message could not be read (command `compressed` or `unreadable`). */
  why?: string;
  /** The connection's `appName` (client.application.name of its handshake), when it gave one. */
  app: string | null;
  /** Relay connection number, in accept order. */
  connection: number;
  /** The phase the recorder was in when the command arrived (see `phase`). */
  phase: string;
  /** Date.now() on arrival. */
  at: number;
}

export interface DatabaseRecorder {
  /** The relay's port on 127.0.0.1. */
  readonly port: number;
  /** Every command so far, in arrival order. */
  readonly commands: readonly RecordedCommand[];
  /** Labels the commands that arrive from now on (default phase: "start"). */
  phase(name: string): void;
  /**
   * `mongoUrl` (the real database's) rewritten to go through the relay, with `appName` set so that
   * the commands are attributed, and `directConnection` so the driver never follows a replica set's
   * host list past the relay.
   */
  url(mongoUrl: string, appName?: string): string;
  close(): Promise<void>;
}

/** host and port of a single-host mongodb:// URL (the database the relay stands in front of). */
export function mongoTarget(mongoUrl: string): { host: string; port: number } {
  const u = new URL(mongoUrl);
  if (u.protocol !== 'mongodb:' || u.host.includes(',')) throw new Error(`the recorder relays one mongodb:// host, not ${u.protocol}//${u.host}`);
  return { host: u.hostname, port: Number(u.port || 27017) };
}

const firstKey = (body: Document): string | undefined => Object.keys(body)[0];

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);

/** What the recorder keeps of one command body (one entry; update and delete: one per statement). */
export function describeCommand(body: Document): Omit<RecordedCommand, 'app' | 'connection' | 'phase' | 'at'>[] {
  const command = firstKey(body) ?? '(empty)';
  const target = body[command];
  const db = typeof body['$db'] === 'string' ? body['$db'] : '';
  const collection = typeof target === 'string' ? target : command === 'getMore' && typeof body['collection'] === 'string' ? body['collection'] : null;
  const base = { command, db, collection };
  switch (command) {
    case 'find':
      return [
        {
          ...base,
          filter: body['filter'] ?? {},
          ...(body['sort'] !== undefined ? { sort: body['sort'] } : {}),
          ...(num(body['limit']) !== undefined ? { limit: num(body['limit']) } : {}),
        },
      ];
    case 'count':
    case 'distinct':
      return [{ ...base, filter: body['query'] ?? {} }];
    case 'findAndModify':
      return [{ ...base, filter: body['query'] ?? {}, ...(body['sort'] !== undefined ? { sort: body['sort'] } : {}) }];
    case 'aggregate':
      return [{ ...base, pipeline: body['pipeline'] }];
    case 'insert':
      return [{ ...base, documents: Array.isArray(body['documents']) ? body['documents'].length : 0 }];
    case 'update': {
      const updates = Array.isArray(body['updates']) ? (body['updates'] as Document[]) : [];
      return updates.length ? updates.map((u) => ({ ...base, filter: u['q'], multi: u['multi'] === true })) : [base];
    }
    case 'delete': {
      const deletes = Array.isArray(body['deletes']) ? (body['deletes'] as Document[]) : [];
      return deletes.length ? deletes.map((d) => ({ ...base, filter: d['q'], ...(num(d['limit']) !== undefined ? { limit: num(d['limit']) } : {}) })) : [base];
    }
    default:
      return [base];
  }
}

/** The appName a handshake (hello / isMaster, as OP_MSG or legacy OP_QUERY) carries, if any. */
function handshakeApp(body: Document): string | null {
  const name = firstKey(body)?.toLowerCase();
  if (name !== 'hello' && name !== 'ismaster') return null;
  const client = body['client'] as { application?: { name?: unknown } } | undefined;
  return typeof client?.application?.name === 'string' ? client.application.name : null;
}

export async function startDatabaseRecorder(target: { host: string; port: number }): Promise<DatabaseRecorder> {
  const commands: RecordedCommand[] = [];
  let phase = 'start';
  let connections = 0;

  const relay = await startRelay(target, 'database recorder', (client, upstream) => {
    const connection = ++connections;
    const splitter = new MessageSplitter();
    let app: string | null = null;
    let reportedBroken = false;

    const record = (message: WireMessage) => {
      const at = Date.now();
      if (message.kind === 'opaque') {
        const command = message.opCode === OP_COMPRESSED ? 'compressed' : 'unreadable';
        commands.push({ command, db: '', collection: null, why: message.why, app, connection, phase, at });
        return;
      }
      app = handshakeApp(message.body) ?? app;
      for (const c of describeCommand(message.body)) commands.push({ ...c, app, connection, phase, at });
    };

    client.on('data', (chunk: Buffer) => {
      // Forward first: whatever the parsing makes of it, the server gets exactly these bytes.
      upstream.write(chunk);
      try {
        for (const msg of splitter.push(chunk)) record(parseMessage(msg));
      } catch (err) {
        splitter.broken ??= (err as Error).message;
      }
      if (splitter.broken && !reportedBroken) {
        reportedBroken = true;
        commands.push({
          command: 'unreadable',
          db: '',
          collection: null,
          why: `connection ${connection}: ${splitter.broken}; nothing more recorded on it`,
          app,
          connection,
          phase,
          at: Date.now(),
        });
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
    });
  });
  const { port } = relay;

  return {
    port,
    commands,
    phase: (name) => {
      phase = name;
    },
    url: (mongoUrl, appName) => {
      const u = new URL(mongoUrl);
      u.host = `127.0.0.1:${port}`;
      u.searchParams.set('directConnection', 'true');
      if (appName) u.searchParams.set('appName', appName);
      return u.toString();
    },
    close: () => relay.close(),
  };
}

/** Commands as lines of relaxed extended JSON (dates and ids readable): a dump to read or grep. */
export function commandLines(commands: readonly RecordedCommand[]): string {
  return commands.map((c) => `${EJSON.stringify(c as never, { relaxed: true })}\n`).join('');
}
