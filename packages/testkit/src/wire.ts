// The MongoDB wire protocol, client to server, as far as needed to see which commands a process
// sends: OP_MSG (every command of a modern driver), OP_QUERY (the legacy handshake), OP_COMPRESSED
// (noop and zlib are unpacked; snappy and zstd cannot be read without extra packages).
// https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
import { inflateSync } from 'node:zlib';
import { deserialize, type Document } from 'bson';

export const OP_MSG = 2013;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;

/** Header: messageLength, requestID, responseTo, opCode (int32 each, little-endian). */
const HEADER_BYTES = 16;
/** The server's default maxMessageSizeBytes; a larger length means we lost the message boundaries. */
export const MAX_MESSAGE_BYTES = 48_000_000;

const CHECKSUM_PRESENT = 1 << 0;

export type WireMessage =
  /** A command: the OP_MSG body with its document sequences attached under their identifiers, or an OP_QUERY on `<db>.$cmd`. */
  | { kind: 'command'; requestId: number; opCode: number; body: Document }
  /** A message we cannot look into (a compressor we do not unpack, an unknown opcode, a malformed body). */
  | { kind: 'opaque'; requestId: number; opCode: number; why: string };

const cstringEnd = (buf: Buffer, from: number): number => {
  const end = buf.indexOf(0, from);
  if (end < 0) throw new Error('unterminated cstring');
  return end;
};

/** One BSON document at `at`: its length is its first int32. */
function documentAt(buf: Buffer, at: number, end: number): { doc: Document; next: number } {
  if (at + 4 > end) throw new Error('truncated document');
  const size = buf.readInt32LE(at);
  if (size < 5 || at + size > end) throw new Error(`document of ${size} bytes does not fit the message`);
  return { doc: deserialize(buf.subarray(at, at + size), { promoteLongs: true, promoteValues: true }), next: at + size };
}

function parseOpMsg(msg: Buffer, requestId: number): Document {
  const flagBits = msg.readUInt32LE(HEADER_BYTES);
  // A CRC-32C of the message closes it when the flag is set; it is not part of any section.
  const end = msg.length - (flagBits & CHECKSUM_PRESENT ? 4 : 0);
  let at = HEADER_BYTES + 4;
  let body: Document | null = null;
  const sequences: [string, Document[]][] = [];
  while (at < end) {
    const kind = msg.readUInt8(at);
    at += 1;
    if (kind === 0) {
      const { doc, next } = documentAt(msg, at, end);
      body = doc;
      at = next;
    } else if (kind === 1) {
      // size (int32, counting itself), identifier (cstring), then documents up to size.
      const size = msg.readInt32LE(at);
      const sectionEnd = at + size;
      if (size < 5 || sectionEnd > end) throw new Error(`document sequence of ${size} bytes does not fit the message`);
      const idEnd = cstringEnd(msg, at + 4);
      const identifier = msg.toString('utf8', at + 4, idEnd);
      const docs: Document[] = [];
      let d = idEnd + 1;
      while (d < sectionEnd) {
        const { doc, next } = documentAt(msg, d, sectionEnd);
        docs.push(doc);
        d = next;
      }
      sequences.push([identifier, docs]);
      at = sectionEnd;
    } else {
      throw new Error(`OP_MSG ${requestId}: unknown section kind ${kind}`);
    }
  }
  if (!body) throw new Error(`OP_MSG ${requestId} has no body section`);
  // The server reads a sequence as the body's array field of the same name (e.g. `documents`, `updates`).
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  return body;
}

function parseOpQuery(msg: Buffer): Document {
  // flags (int32), fullCollectionName (cstring), numberToSkip, numberToReturn (int32), query, [fields].
  const nameEnd = cstringEnd(msg, HEADER_BYTES + 4);
  const fullName = msg.toString('utf8', HEADER_BYTES + 4, nameEnd);
  const { doc } = documentAt(msg, nameEnd + 1 + 8, msg.length);
  // Legacy commands are queries on `<db>.$cmd`, possibly wrapped as { $query: {...}, $readPreference }.
  const command = doc['$query'] && typeof doc['$query'] === 'object' ? (doc['$query'] as Document) : doc;
  const db = fullName.endsWith('.$cmd') ? fullName.slice(0, -'.$cmd'.length) : fullName.split('.')[0]!;
  // OP_MSG names the database in `$db`; give the legacy form the same shape.
  return { ...command, $db: command['$db'] ?? db };
}

/** Parses one complete message (header included); never throws: what it cannot read is opaque. */
export function parseMessage(msg: Buffer): WireMessage {
  const requestId = msg.length >= 8 ? msg.readInt32LE(4) : 0;
  const opCode = msg.length >= HEADER_BYTES ? msg.readInt32LE(12) : 0;
  try {
    if (opCode === OP_MSG) return { kind: 'command', requestId, opCode, body: parseOpMsg(msg, requestId) };
    if (opCode === OP_QUERY) return { kind: 'command', requestId, opCode, body: parseOpQuery(msg) };
    if (opCode === OP_COMPRESSED) {
      // originalOpcode (int32), uncompressedSize (int32), compressorId (uint8), compressed message body.
      const originalOpCode = msg.readInt32LE(HEADER_BYTES);
      const compressorId = msg.readUInt8(HEADER_BYTES + 8);
      const packed = msg.subarray(HEADER_BYTES + 9);
      const unpacked = compressorId === 0 ? packed : compressorId === 2 ? inflateSync(packed) : null;
      if (!unpacked)
        return {
          kind: 'opaque',
          requestId,
          opCode,
          why: `compressed with compressor ${compressorId} (${compressorId === 1 ? 'snappy' : compressorId === 3 ? 'zstd' : 'unknown'})`,
        };
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeInt32LE(HEADER_BYTES + unpacked.length, 0);
      header.writeInt32LE(requestId, 4);
      header.writeInt32LE(msg.readInt32LE(8), 8);
      header.writeInt32LE(originalOpCode, 12);
      const inner = parseMessage(Buffer.concat([header, unpacked]));
      return inner;
    }
    return { kind: 'opaque', requestId, opCode, why: `opcode ${opCode}` };
  } catch (err) {
    return { kind: 'opaque', requestId, opCode, why: `unreadable: ${(err as Error).message}` };
  }
}

/**
 * Cuts a TCP byte stream into whole messages: a message may span chunks and a chunk may hold several.
 * Chunks are kept as they come and joined once a message is complete, so a large message is copied
 * once, not once per chunk.
 */
export class MessageSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Set once a length made no sense: the boundaries are lost for good on this connection. */
  broken: string | null = null;

  /** Feeds a chunk; returns the messages it completed. */
  push(chunk: Buffer): Buffer[] {
    if (this.broken) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const length = this.peekLength();
      if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
        this.broken = `message length ${length} out of range`;
        this.chunks = [];
        this.buffered = 0;
        break;
      }
      if (this.buffered < length) break;
      out.push(this.take(length));
    }
    return out;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32LE(0);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.readInt32LE(0);
  }

  private take(length: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const msg = joined.subarray(0, length);
    const rest = joined.subarray(length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return msg;
  }
}
