import { createHash, randomBytes } from 'node:crypto';
import type { Role, StoredToken, TokenModel } from './token.schema';

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface IssuedToken {
  token: string;
  record: StoredToken;
}

export class TokenRepository {
  constructor(readonly model: TokenModel) {}

  /** Creates a random token (`sa_` + 43 base64url characters) and stores only its hash. */
  async issue(role: Role, opts: { types?: string[]; source?: string | null; label?: string | null } = {}): Promise<IssuedToken> {
    const token = `sa_${randomBytes(32).toString('base64url')}`;
    const record: StoredToken = {
      hash: hashToken(token),
      prefix: token.slice(0, 8),
      role,
      types: opts.types ?? [],
      source: opts.source ?? null,
      label: opts.label ?? null,
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.model.create(record);
    return { token, record };
  }

  async findActive(token: string): Promise<StoredToken | null> {
    // The hash is computed here, so the presented token never reaches a query as an operator object.
    const doc = await this.model.findOne({ hash: hashToken(String(token)), revokedAt: null }).lean();
    return doc ?? null;
  }

  async revokeByPrefix(prefix: string): Promise<number> {
    const res = await this.model.updateMany({ prefix: String(prefix), revokedAt: null }, { $set: { revokedAt: new Date() } });
    return res.modifiedCount;
  }

  async list(): Promise<Omit<StoredToken, 'hash'>[]> {
    return this.model.find({}, { hash: 0, _id: 0 }).sort({ createdAt: 1 }).lean();
  }
}
