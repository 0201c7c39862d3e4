// What happened to every record read from a source topic (or posted over HTTP): accepted, duplicate
// or rejected with its reason. Keyed by the record's position, so re-delivery rewrites the same row
// and counts stay exact: accepted + duplicates + rejected = records read.
import { Schema, type Connection, type Model } from '@siliconalley/db';

export type Disposition = 'accepted' | 'duplicate' | 'rejected';

export interface StoredDisposition {
  /** `${topic}/${partition}/${offset}` for Kafka, `http/${requestId}/${index}` for HTTP. */
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

// Pipeline and data-quality counts per topic and disposition (`countsByTopic`).
dispositionSchema.index({ topic: 1, disposition: 1 }, { name: 'topic_disposition' });
// Rejections by provider for the assessments' data-quality section (`rejectedByProvider`).
dispositionSchema.index({ disposition: 1, source: 1 }, { name: 'disposition_source' });

export type DispositionModel = Model<StoredDisposition>;
export const dispositionModel = (conn: Connection): DispositionModel => conn.model<StoredDisposition>('Disposition', dispositionSchema);
