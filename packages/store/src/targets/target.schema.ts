// Operator-managed targets (POST/DELETE /api/v1/targets) and their audit log. The definition is kept
// as the validated JSON (packages/targets schema); the plan's and the targets file's ids are not here.
import { Schema, type Connection, type Model } from '@siliconalley/db';

export interface StoredTarget {
  /** The target id (unique across file/default and stored targets; checked by the writer). */
  _id: string;
  /** The definition as validated by parseTargetDefinitions (packages/targets). */
  definition: Record<string, unknown>;
  createdAt: Date;
  /** Who created it: the token prefix the gateway passes (x-sa-actor). */
  createdBy: string;
}

export const targetSchema = new Schema<StoredTarget>(
  {
    _id: { type: String, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    createdBy: { type: String, required: true },
  },
  { collection: 'targets', versionKey: false, _id: false, minimize: false },
);
// No secondary index: the collection is small and read whole (`list`, sorted by createdAt in memory);
// writes and deletes go by _id.

export type TargetModel = Model<StoredTarget>;
export const targetModel = (conn: Connection): TargetModel =>
  (conn.models.Target as TargetModel | undefined) ?? conn.model<StoredTarget>('Target', targetSchema);

export const TARGET_AUDIT_ACTIONS = ['create', 'delete'] as const;
export type TargetAuditAction = (typeof TARGET_AUDIT_ACTIONS)[number];

export interface TargetAuditEntry {
  targetId: string;
  action: TargetAuditAction;
  /** Who: the token prefix (and label) the gateway passes. */
  actor: string;
  actorLabel: string | null;
  at: Date;
  /** The definition before and after the change (null when absent). */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export const targetAuditSchema = new Schema<TargetAuditEntry>(
  {
    targetId: { type: String, required: true },
    action: { type: String, required: true, enum: TARGET_AUDIT_ACTIONS },
    actor: { type: String, required: true },
    actorLabel: { type: String, default: null },
    at: { type: Date, required: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'targetaudit', versionKey: false, minimize: false },
);

// The audit log, newest first (`TargetRepository.audit()`, GET /api/v1/targets/audit).
targetAuditSchema.index({ at: -1 }, { name: 'at_desc' });
// One target's history, newest first (`TargetRepository.audit({ targetId })`).
targetAuditSchema.index({ targetId: 1, at: -1 }, { name: 'target_at_desc' });

export type TargetAuditModel = Model<TargetAuditEntry>;
export const targetAuditModel = (conn: Connection): TargetAuditModel =>
  (conn.models.TargetAudit as TargetAuditModel | undefined) ?? conn.model<TargetAuditEntry>('TargetAudit', targetAuditSchema);
