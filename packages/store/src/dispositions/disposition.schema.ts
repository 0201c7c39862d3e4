// What happened to every record read from a source topic: accepted, duplicate or rejected with its
// reason — the per-record audit trail behind the ingest ledgers' counts. Keyed by the record's
// position, so re-delivery finds its row already there.
import { Schema, type Connection, type Model } from '@siliconalley/db';

export type Disposition = 'accepted' | 'duplicate' | 'rejected';

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

export const dispositionSchema = new Schema<StoredDisposition>(
  {
    _id: { type: String, required: true },
    topic: { type: String, required: true },
    disposition: { type: String, required: true },
    reason: { type: String, default: null },
    source: { type: String, default: null },
    eventId: { type: String, default: null },
    type: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'dispositions', versionKey: false, _id: false },
);

// No secondary index: the rows are written once and read only by offline audits (the chaos run's
// verification); every count a user or a loop asks for comes from the ingest ledgers.

export type DispositionModel = Model<StoredDisposition>;
export const dispositionModel = (conn: Connection): DispositionModel => conn.model<StoredDisposition>('Disposition', dispositionSchema);
