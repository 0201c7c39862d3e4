import { connect, createServer, type Server, type Socket } from 'node:net';
import { deflateSync } from 'node:zlib';
import { Long, ObjectId, serialize, type Document } from 'bson';
import { describeCommand, MessageSplitter, OP_COMPRESSED, OP_MSG, OP_QUERY, parseMessage, startDatabaseRecorder, type DatabaseRecorder } from '../../src';

const header = (length: number, requestId: number, opCode: number): Buffer => {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
};

/** OP_MSG: flagBits, a kind-0 body, kind-1 sequences, optionally a (dummy) checksum. */
function opMsg(body: Document, opts: { requestId?: number; sequences?: Record<string, Document[]>; checksum?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(opts.checksum ? 1 : 0);
  parts.push(flags, Buffer.from([0]), Buffer.from(serialize(body)));
  for (const [id, docs] of Object.entries(opts.sequences ?? {})) {
    const payload = Buffer.concat([Buffer.from(`${id}\0`, 'utf8'), ...docs.map((d) => serialize(d))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length);
    parts.push(Buffer.from([1]), size, payload);
  }
  if (opts.checksum) parts.push(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  const rest = Buffer.concat(parts);
  return Buffer.concat([header(16 + rest.length, opts.requestId ?? 1, OP_MSG), rest]);
}

function opQuery(fullName: string, query: Document): Buffer {
  const flags = Buffer.alloc(4);
  const skipReturn = Buffer.alloc(8);
  skipReturn.writeInt32LE(-1, 4);
  const rest = Buffer.concat([flags, Buffer.from(`${fullName}\0`, 'utf8'), skipReturn, Buffer.from(serialize(query))]);
  return Buffer.concat([header(16 + rest.length, 7, OP_QUERY), rest]);
}

function compressed(inner: Buffer, compressorId: number): Buffer {
  const original = inner.subarray(16);
  const packed = compressorId === 2 ? deflateSync(original) : original;
  const meta = Buffer.alloc(9);
  meta.writeInt32LE(inner.readInt32LE(12), 0);
  meta.writeInt32LE(original.length, 4);
  meta.writeUInt8(compressorId, 8);
  const rest = Buffer.concat([meta, packed]);
  return Buffer.concat([header(16 + rest.length, inner.readInt32LE(4), OP_COMPRESSED), rest]);
}

describe('wire protocol parsing', () => {
  it('reads an OP_MSG body with its filter, sort and limit', () => {
    const msg = parseMessage(opMsg({ find: 'events', filter: { 'origin.topic': 't' }, sort: { receivedAt: -1 }, limit: 1, $db: 'sa' }, { requestId: 42 }));
    expect(msg).toMatchObject({ kind: 'command', requestId: 42, opCode: OP_MSG });
    if (msg.kind !== 'command') throw new Error('not a command');
    expect(describeCommand(msg.body)).toEqual([
      { command: 'find', db: 'sa', collection: 'events', filter: { 'origin.topic': 't' }, sort: { receivedAt: -1 }, limit: 1 },
    ]);
  });

  it('attaches kind-1 document sequences to the body and skips a checksum', () => {
    const msg = parseMessage(
      opMsg(
        { update: 'dispositions', ordered: false, $db: 'sa' },
        {
          checksum: true,
          sequences: {
            updates: [
              { q: { _id: 'a' }, u: { $set: { x: 1 } } },
              { q: { topic: 't' }, u: { $set: { x: 2 } }, multi: true },
            ],
          },
        },
      ),
    );
    if (msg.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(msg)}`);
    expect(describeCommand(msg.body)).toEqual([
      { command: 'update', db: 'sa', collection: 'dispositions', filter: { _id: 'a' }, multi: false },
      { command: 'update', db: 'sa', collection: 'dispositions', filter: { topic: 't' }, multi: true },
    ]);
  });

  it('counts inserted documents without keeping them, and reads delete statements', () => {
    const insert = parseMessage(opMsg({ insert: 'events', $db: 'sa' }, { sequences: { documents: [{ _id: 1 }, { _id: 2 }, { _id: 3 }] } }));
    const del = parseMessage(opMsg({ delete: 'leases', deletes: [{ q: { _id: 'x' }, limit: 1 }], $db: 'sa' }));
    if (insert.kind !== 'command' || del.kind !== 'command') throw new Error('not commands');
    expect(describeCommand(insert.body)).toEqual([{ command: 'insert', db: 'sa', collection: 'events', documents: 3 }]);
    expect(describeCommand(del.body)).toEqual([{ command: 'delete', db: 'sa', collection: 'leases', filter: { _id: 'x' }, limit: 1 }]);
  });

  it('names getMore by its collection and aggregate by its pipeline', () => {
    const more = parseMessage(opMsg({ getMore: Long.fromNumber(123456789), collection: 'events', $db: 'sa' }));
    const agg = parseMessage(opMsg({ aggregate: 'dispositions', pipeline: [{ $group: { _id: '$topic', n: { $sum: 1 } } }], cursor: {}, $db: 'sa' }));
    const dbLevel = parseMessage(opMsg({ listCollections: 1, $db: 'sa' }));
    if (more.kind !== 'command' || agg.kind !== 'command' || dbLevel.kind !== 'command') throw new Error('not commands');
    expect(describeCommand(more.body)[0]).toMatchObject({ command: 'getMore', collection: 'events' });
    expect(describeCommand(agg.body)[0]).toEqual({
      command: 'aggregate',
      db: 'sa',
      collection: 'dispositions',
      pipeline: [{ $group: { _id: '$topic', n: { $sum: 1 } } }],
    });
    expect(describeCommand(dbLevel.body)[0]).toEqual({ command: 'listCollections', db: 'sa', collection: null });
  });

  it('reads the legacy OP_QUERY handshake on <db>.$cmd', () => {
    const msg = parseMessage(opQuery('admin.$cmd', { isMaster: 1, client: { application: { name: 'ingest' } } }));
    if (msg.kind !== 'command') throw new Error('not a command');
    expect(msg.opCode).toBe(OP_QUERY);
    expect(msg.body).toMatchObject({ isMaster: 1, $db: 'admin', client: { application: { name: 'ingest' } } });
  });

  it('unpacks zlib and noop OP_COMPRESSED, and calls snappy opaque', () => {
    const inner = opMsg({ count: 'events', query: { type: 'x' }, $db: 'sa' }, { requestId: 9 });
    for (const id of [0, 2]) {
      const msg = parseMessage(compressed(inner, id));
      if (msg.kind !== 'command') throw new Error(`compressor ${id}: ${JSON.stringify(msg)}`);
      expect(msg.requestId).toBe(9);
      expect(describeCommand(msg.body)).toEqual([{ command: 'count', db: 'sa', collection: 'events', filter: { type: 'x' } }]);
    }
    expect(parseMessage(compressed(inner, 1))).toMatchObject({ kind: 'opaque', opCode: OP_COMPRESSED, why: expect.stringContaining('snappy') });
  });

  it('calls a malformed message opaque instead of throwing', () => {
    const good = opMsg({ find: 'events', $db: 'sa' });
    good.writeInt32LE(10_000, 21); // the body's length now runs past the message
    expect(parseMessage(good)).toMatchObject({ kind: 'opaque', why: expect.stringContaining('unreadable') });
  });
});

describe('MessageSplitter', () => {
  const messages = [
    opMsg({ find: 'a', $db: 'x' }, { requestId: 1 }),
    opMsg({ insert: 'b', $db: 'x' }, { requestId: 2, sequences: { documents: [{ big: 'y'.repeat(5000) }] } }),
    opMsg({ ping: 1, $db: 'x' }, { requestId: 3 }),
  ];
  const stream = Buffer.concat(messages);

  it.each([1, 2, 3, 7, 100, 4096, stream.length])('cuts a stream fed in chunks of %i bytes into the same messages', (size) => {
    const splitter = new MessageSplitter();
    const out: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) out.push(...splitter.push(stream.subarray(at, at + size)));
    expect(out.map((m) => m.toString('hex'))).toEqual(messages.map((m) => m.toString('hex')));
    expect(splitter.broken).toBeNull();
  });

  it('gives up on a length that cannot be a message', () => {
    const splitter = new MessageSplitter();
    expect(splitter.push(Buffer.from([3, 0, 0, 0, 1, 2, 3]))).toEqual([]);
    expect(splitter.broken).toMatch(/length 3/);
  });
});

describe('database recorder (a relay in front of a stand-in server)', () => {
  let upstream: Server;
  let received: Buffer[];
  let recorder: DatabaseRecorder;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    received = [];
    // A server that only collects what it is sent and answers one byte per chunk.
    upstream = createServer((s) => {
      sockets.push(s);
      s.on('data', (chunk: Buffer) => {
        received.push(Buffer.from(chunk));
        s.write(Buffer.from([0x2a]));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as { port: number }).port;
    recorder = await startDatabaseRecorder({ host: '127.0.0.1', port });
  });

  afterAll(async () => {
    await recorder.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => upstream.close(r));
  });

  it('forwards the bytes unchanged and records each command with its connection, app name and phase', async () => {
    const hello = opQuery('admin.$cmd', { isMaster: 1, client: { application: { name: 'gateway' } } });
    const find = opMsg({ find: 'events', filter: { _id: new ObjectId('65a000000000000000000001') }, $db: 'sa' }, { requestId: 2 });
    const agg = opMsg({ aggregate: 'dispositions', pipeline: [{ $match: { disposition: 'rejected' } }], cursor: {}, $db: 'sa' }, { requestId: 3 });
    const bytes = Buffer.concat([hello, find, agg]);
    const client = connect(recorder.port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', () => r()));
    let answers = 0;
    client.on('data', (c: Buffer) => (answers += c.length));
    // Odd chunks: every message straddles writes, and one write holds the end of one and the start of the next.
    const cuts = [hello.length - 5, hello.length + 11, hello.length + find.length + 3, bytes.length];
    recorder.phase('one');
    let from = 0;
    for (const cut of cuts) {
      client.write(bytes.subarray(from, cut));
      from = cut;
      await new Promise((r) => setTimeout(r, 30));
      if (cut === hello.length + find.length + 3) recorder.phase('two');
    }
    const deadline = Date.now() + 5000;
    while (Buffer.concat(received).length < bytes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    client.destroy();
    expect(Buffer.concat(received).equals(bytes)).toBe(true);
    expect(answers).toBeGreaterThan(0);
    const seen = recorder.commands.map((c) => ({ command: c.command, collection: c.collection, app: c.app, phase: c.phase, connection: c.connection }));
    expect(seen).toEqual([
      { command: 'isMaster', collection: null, app: 'gateway', phase: 'one', connection: 1 },
      { command: 'find', collection: 'events', app: 'gateway', phase: 'one', connection: 1 },
      { command: 'aggregate', collection: 'dispositions', app: 'gateway', phase: 'two', connection: 1 },
    ]);
  });

  it('rewrites a database URL to go through the relay', () => {
    expect(recorder.url('mongodb://127.0.0.1:27027/siliconalley?w=majority', 'indicator')).toBe(
      `mongodb://127.0.0.1:${recorder.port}/siliconalley?w=majority&directConnection=true&appName=indicator`,
    );
  });
});
