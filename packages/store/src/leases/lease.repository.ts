import { isDuplicateKeyError } from '@siliconalley/db';
import type { LeaseModel } from './lease.schema';

export class LeaseRepository {
  constructor(readonly model: LeaseModel) {}

  /**
   * Takes or renews `name` for `holder` until now + ttl. True when held: free, lapsed, or already ours.
   * An upsert on a lease held by someone else collides on _id, which means "not yours".
   */
  async acquire(name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
    try {
      const doc = await this.model
        .findOneAndUpdate(
          { _id: name, $or: [{ holder }, { expiresAt: { $lte: now } }] },
          { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) } },
          { upsert: true, new: true },
        )
        .lean();
      return doc?.holder === holder;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Gives the lease up early (at shutdown), only if still ours. */
  async release(name: string, holder: string): Promise<void> {
    await this.model.deleteOne({ _id: name, holder });
  }

  async holderOf(name: string, now = new Date()): Promise<string | null> {
    const doc = await this.model.findById(name).lean();
    return doc && doc.expiresAt > now ? doc.holder : null;
  }
}
