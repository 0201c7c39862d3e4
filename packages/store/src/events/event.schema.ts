// The event store: every accepted event, once, keyed by (source, id). It is the record of what the
// system knows; every other state (firm histories, KPI aggregates, assessments) is rebuilt from it.
import { Schema, type Connection, type Model } from '@siliconalley/db';
import type { AcceptedEvent } from '@siliconalley/contract';

export interface RecordOrigin {
  /** `http` for events sent to the HTTP ingest endpoint before they reached Kafka. */
  topic: string;
  partition: number;
  offset: string;
}

export interface StoredEvent {
  /** `eventKey(source, id)`: the idempotency key as the primary key, so lookups by it are cheap everywhere. */
  _id: string;
  source: string;
  id: string;
  type: AcceptedEvent['type'];
  subject: string;
  time: string;
  /** `time` as an instant: strings with different offsets don't sort in time order. */
  timeInstant: Date;
  effectiveDate: string;
  data: AcceptedEvent['data'];
  contentMode: 'structured' | 'binary';
  /** Where the first accepted copy came from: re-delivery of this very record is not a duplicate. */
  origin: RecordOrigin;
  receivedAt: Date;
}

export const eventSchema = new Schema<StoredEvent>(
  {
    _id: { type: String, required: true },
    source: { type: String, required: true },
    id: { type: String, required: true },
    type: { type: String, required: true },
    subject: { type: String, required: true },
    time: { type: String, required: true },
    timeInstant: { type: Date, required: true },
    effectiveDate: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    contentMode: { type: String, required: true },
    origin: {
      topic: { type: String, required: true },
      partition: { type: Number, required: true },
      offset: { type: String, required: true },
    },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'events', versionKey: false, minimize: false, strict: true, _id: false },
);

// Idempotency key of the contract: insert fails with E11000 for an already accepted (source, id).
eventSchema.index({ source: 1, id: 1 }, { unique: true, name: 'source_id_unique' });
// Rebuilding one firm's history (`findBySubject`) and task status (`findByType`).
eventSchema.index({ subject: 1 }, { name: 'subject' });
// Data-quality counts and type-filtered scans (`countByType`, `streamByType`).
eventSchema.index({ type: 1 }, { name: 'type' });
// The pipeline view's newest event per source topic (`newestTimeByTopic`).
eventSchema.index({ 'origin.topic': 1, timeInstant: -1 }, { name: 'origin_topic_time' });
// Serves the assessments' cut-off (newest receivedAt) and restatement causes (events received after
// a published version's cut-off).
eventSchema.index({ receivedAt: -1 }, { name: 'received_at' });

/** The primary key of an event: its (source, id) pair, unambiguous for any characters. */
export const eventKey = (source: string, id: string): string => JSON.stringify([source, id]);

export type EventModel = Model<StoredEvent>;
export const eventModel = (conn: Connection): EventModel => conn.model<StoredEvent>('Event', eventSchema);
