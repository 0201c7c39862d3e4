// Ingest ledgers: one small document per (source topic, partition) that ingestion advances as it
// settles records — the counts the pipeline view, the Grafana rejection panel and an assessment's
// data cut-off read, kept as records are settled instead of counted from the store. The collection
// holds topics × partitions documents, whatever the history: reading all of it is O(partitions).
import { Schema, type Connection, type Model } from '@siliconalley/db';
import type { LedgerState } from './settlement';

export interface StoredLedger extends LedgerState {
  /** `ledgerId(topic, partition)`. */
  _id: string;
  updatedAt: Date;
}

const reasonCount = new Schema({ reason: { type: String, required: true }, n: { type: Number, required: true } }, { _id: false });
const sourceReasonCount = new Schema(
  { source: { type: String, required: true }, reason: { type: String, required: true }, n: { type: Number, required: true } },
  { _id: false },
);

export const ledgerSchema = new Schema<StoredLedger>(
  {
    _id: { type: String, required: true },
    topic: { type: String, required: true },
    partition: { type: Number, required: true },
    settledTo: { type: String, required: true },
    pending: {
      type: new Schema(
        { insertedTo: { type: String, required: true }, outcomesTo: { type: String, default: null }, refused: { type: [String], default: [] } },
        { _id: false },
      ),
      default: null,
    },
    version: { type: Number, required: true },
    accepted: { type: Number, required: true },
    duplicates: { type: Number, required: true },
    rejected: { type: [reasonCount], default: [] },
    rejectedBySource: { type: [sourceReasonCount], default: [] },
    newestEventTime: { type: String, default: null },
    newestReceivedAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'ingestledgers', versionKey: false, _id: false, minimize: false },
);
// No secondary index: a ledger is read and written by _id, and the pipeline view reads them all.

export type LedgerModel = Model<StoredLedger>;
export const ledgerModel = (conn: Connection): LedgerModel =>
  (conn.models.IngestLedger as LedgerModel | undefined) ?? conn.model<StoredLedger>('IngestLedger', ledgerSchema);
