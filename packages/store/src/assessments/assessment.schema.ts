// Published assessments: one document per (period, version), written once and never updated — a
// restatement is a new version. The body is the assessment JSON as packages/assessments defines it.
import { Schema, type Connection, type Model } from '@siliconalley/db';

export interface StoredAssessment {
  /** `<period>#v<version>`: a second writer of the same version fails on the key (exactly one publishes). */
  _id: string;
  period: string;
  kind: string;
  version: number;
  asOf: string;
  publishedAt: Date;
  /** The whole assessment (packages/assessments `Assessment`). */
  body: Record<string, unknown>;
}

export const assessmentSchema = new Schema<StoredAssessment>(
  {
    _id: { type: String, required: true },
    period: { type: String, required: true },
    kind: { type: String, required: true },
    version: { type: Number, required: true },
    asOf: { type: String, required: true },
    publishedAt: { type: Date, required: true },
    body: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'assessments', versionKey: false, _id: false, minimize: false },
);
// Serves the fallback scan of a period's versions when its head is missing (see the repository); reads
// of one version go by _id, and the list reads the heads.
assessmentSchema.index({ period: 1, version: -1 }, { unique: true });

export type AssessmentModel = Model<StoredAssessment>;
export const assessmentModel = (conn: Connection): AssessmentModel =>
  (conn.models.Assessment as AssessmentModel | undefined) ?? conn.model<StoredAssessment>('Assessment', assessmentSchema);

/**
 * One small document per period naming its newest version, so that the list, the latest version and
 * the restatement watch never load every report body (FerretDB filters documents in its own process).
 */
export interface StoredAssessmentHead {
  /** The period. */
  _id: string;
  kind: string;
  version: number;
  asOf: string;
  publishedAt: Date;
  statusSummary: Record<string, number>;
  /** The version's data cut-off (newest receivedAt it saw). */
  receivedUpTo: string | null;
  /** How far the indicator had applied the accepted topic for this version, per partition. */
  acceptedOffsets: Record<string, string>;
}

export const assessmentHeadSchema = new Schema<StoredAssessmentHead>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    version: { type: Number, required: true },
    asOf: { type: String, required: true },
    publishedAt: { type: Date, required: true },
    statusSummary: { type: Schema.Types.Mixed, default: {} },
    receivedUpTo: { type: String, default: null },
    acceptedOffsets: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'assessmentheads', versionKey: false, _id: false, minimize: false },
);
// No secondary index: read whole (the list, tens of documents a year) or by _id.

export type AssessmentHeadModel = Model<StoredAssessmentHead>;
export const assessmentHeadModel = (conn: Connection): AssessmentHeadModel =>
  (conn.models.AssessmentHead as AssessmentHeadModel | undefined) ?? conn.model<StoredAssessmentHead>('AssessmentHead', assessmentHeadSchema);

/** The scheduler's persisted cursor: the last period of each kind it completed. */
export interface StoredScheduleCursor {
  /** The period kind: `month`, `quarter` or `year`. */
  _id: string;
  lastCompleted: string;
  at: Date;
}

export const scheduleCursorSchema = new Schema<StoredScheduleCursor>(
  {
    _id: { type: String, required: true },
    lastCompleted: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'assessmentschedule', versionKey: false, _id: false },
);
// No secondary index: three documents, read and written by _id.

export type ScheduleCursorModel = Model<StoredScheduleCursor>;
export const scheduleCursorModel = (conn: Connection): ScheduleCursorModel =>
  (conn.models.AssessmentSchedule as ScheduleCursorModel | undefined) ?? conn.model<StoredScheduleCursor>('AssessmentSchedule', scheduleCursorSchema);
