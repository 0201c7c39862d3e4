import { isDuplicateKeyError } from '@siliconalley/db';
import type { StoredTarget, TargetAuditEntry, TargetAuditModel, TargetModel } from './target.schema';

export interface Actor {
  /** Token prefix (e.g. `sa_Ab3dE`) or another stable id of the caller. */
  id: string;
  label?: string | null;
}

/**
 * Operator-managed targets with an audit entry per change. The target write comes first and the audit
 * entry right after it (the database may not offer transactions): a crash in between loses that
 * entry, never a change without its definition.
 */
export class TargetRepository {
  constructor(
    readonly model: TargetModel,
    readonly auditModel: TargetAuditModel,
  ) {}

  /** Every stored target, oldest first. */
  async list(): Promise<StoredTarget[]> {
    const docs = await this.model.find({}).lean<StoredTarget[]>();
    return docs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : 1));
  }

  async get(id: string): Promise<StoredTarget | null> {
    return this.model.findOne({ _id: String(id) }).lean<StoredTarget>();
  }

  /** Stores a new target; false when the id is taken. */
  async create(id: string, definition: Record<string, unknown>, actor: Actor, now = new Date()): Promise<boolean> {
    try {
      await this.model.create({ _id: String(id), definition, createdAt: now, createdBy: actor.id });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    await this.auditModel.create({
      targetId: id,
      action: 'create',
      actor: actor.id,
      actorLabel: actor.label ?? null,
      at: now,
      before: null,
      after: definition,
    });
    return true;
  }

  /** Deletes a stored target; its definition, or null when there was none. */
  async remove(id: string, actor: Actor, now = new Date()): Promise<Record<string, unknown> | null> {
    const doc = await this.model.findOneAndDelete({ _id: String(id) }).lean<StoredTarget>();
    if (!doc) return null;
    await this.auditModel.create({
      targetId: id,
      action: 'delete',
      actor: actor.id,
      actorLabel: actor.label ?? null,
      at: now,
      before: doc.definition,
      after: null,
    });
    return doc.definition;
  }

  /** The audit log, newest first; optionally of one target. */
  async audit(opts: { targetId?: string; limit?: number } = {}): Promise<TargetAuditEntry[]> {
    const filter = opts.targetId === undefined ? {} : { targetId: String(opts.targetId) };
    return this.auditModel
      .find(filter, { _id: 0 })
      .sort({ at: -1, _id: -1 })
      .limit(opts.limit ?? 500)
      .lean<TargetAuditEntry[]>();
  }
}
