// API tokens: only a SHA-256 hash is stored (tokens are 256-bit random, so a fast hash is enough);
// the token itself is shown once, when it is created.
import { Schema, type Connection, type Model } from '@siliconalley/db';

export const ROLES = ['provider', 'evaluator', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface StoredToken {
  /** hex SHA-256 of the token. */
  hash: string;
  /** First characters of the token, to recognise it in listings without revealing it. */
  prefix: string;
  role: Role;
  /** Provider tokens: the short event types it may publish. */
  types: string[];
  /** Provider tokens: the CloudEvents `source` it publishes as, if pinned. */
  source: string | null;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export const tokenSchema = new Schema<StoredToken>(
  {
    hash: { type: String, required: true },
    prefix: { type: String, required: true },
    role: { type: String, required: true, enum: ROLES },
    types: { type: [String], default: [] },
    source: { type: String, default: null },
    label: { type: String, default: null },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'tokens', versionKey: false },
);

// Authentication of every request (`findActiveByHash`), and uniqueness of tokens.
tokenSchema.index({ hash: 1 }, { unique: true, name: 'hash_unique' });

export type TokenModel = Model<StoredToken>;
export const tokenModel = (conn: Connection): TokenModel => conn.model<StoredToken>('Token', tokenSchema);
