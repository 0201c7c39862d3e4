// Leases: with several replicas of a scheduled job, the one holding the lease runs it. A lease is a
// document with a holder and an expiry, so a crashed holder's lease lapses on its own.
import { Schema, type Connection, type Model } from '@siliconalley/db';

export interface StoredLease {
  /** The job, e.g. `assessments`. */
  _id: string;
  holder: string;
  expiresAt: Date;
}

export const leaseSchema = new Schema<StoredLease>(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'leases', versionKey: false, _id: false },
);
// No secondary index: acquire/renew/release go by _id (plus the holder and expiry in the filter).

export type LeaseModel = Model<StoredLease>;
export const leaseModel = (conn: Connection): LeaseModel => (conn.models.Lease as LeaseModel | undefined) ?? conn.model<StoredLease>('Lease', leaseSchema);
