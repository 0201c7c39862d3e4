// What happened to every record read from a source topic: accepted, duplicate or rejected with its
// reason — the per-record audit trail behind the ingest ledgers' counts. Stored one document per
// ingested chunk (its records' rows in an array), not one per record: the rows are read only by
// offline audits, and a document per record doubled ingestion's writes and the store's index growth
// (issue #13, "write only what is read").
import { Schema, type Connection, type Model } from '@siliconalley/db';

export type Disposition = 'accepted' | 'duplicate' | 'rejected';

/** One record's verdict. */
export interface StoredDisposition {
  /** packages/kafka `recordPosition` (`topic/partition/offset`) for Kafka, `http/${requestId}/${index}` for HTTP. */
  _id: string;
  topic: string;
  disposition: Disposition;
  reason: string | null;
  /** CloudEvents source when it could be read: the provider. */
  source: string | null;
  eventId: string | null;
  type: string | null;
  at: Date;
}

/** The rows of one chunk, in the order settled. */
export interface StoredDispositionChunk {
  /**
   * The first and last row's position and the row count: a re-delivered chunk with the same
   * boundaries is refused as a duplicate key; one with other boundaries is stored again, and a
   * reader keeps one verdict per position (a record's verdict does not change on re-delivery).
   */
  _id: string;
  rows: Omit<StoredDisposition, 'at'>[];
  at: Date;
}

export const dispositionChunkSchema = new Schema<StoredDispositionChunk>(
  {
    _id: { type: String, required: true },
    // Mixed: the rows are written and read whole, never queried or cast field by field.
    rows: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'disposition_chunks', versionKey: false, _id: false },
);

// No secondary index: written once per chunk, read only whole by offline audits (the chaos run's
// verification); every count a user or a loop asks for comes from the ingest ledgers.

export type DispositionChunkModel = Model<StoredDispositionChunk>;
export const dispositionChunkModel = (conn: Connection): DispositionChunkModel =>
  conn.model<StoredDispositionChunk>('DispositionChunk', dispositionChunkSchema);
