// The event store: every accepted event, once, keyed by (source, id). It is the record of what the
// system knows; every other state (firm histories, KPI aggregates, assessments) is rebuilt from it.
import { Schema, type Connection, type Model } from '@siliconalley/db';
import { eventIdentity, type AcceptedEvent } from '@siliconalley/contract';

export interface RecordOrigin {
  /** `http` for events sent to the HTTP ingest endpoint before they reached Kafka. */
  topic: string;
  partition: number;
  offset: string;
}

export interface StoredEvent {
  /** The contract's `eventIdentity` (the idempotency key) as the primary key, unique by construction. */
  _id: string;
  source: string;
  id: string;
  type: AcceptedEvent['type'];
  subject: string;
  time: string;
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

// No secondary index: `_id` is the idempotency key (an insert of an accepted (source, id) fails with
// E11000), the store is read by `_id` or streamed whole by an offline rebuild, and every count or
// newest-time a view needs is kept by the ingest ledgers. An index no query uses only slows inserts.

/** The stored document of an accepted event, with where this copy came from and when it arrived. */
export function storedEventOf(event: AcceptedEvent, contentMode: StoredEvent['contentMode'], origin: RecordOrigin, receivedAt: Date): StoredEvent {
  return {
    _id: eventIdentity(event),
    source: event.source,
    id: event.id,
    type: event.type,
    subject: event.subject,
    time: event.time,
    effectiveDate: event.effectiveDate,
    data: event.data,
    contentMode,
    origin,
    receivedAt,
  };
}

export type EventModel = Model<StoredEvent>;
export const eventModel = (conn: Connection): EventModel => conn.model<StoredEvent>('Event', eventSchema);
