import { isDuplicateKeyError } from '@siliconalley/db';
import type { AssessmentHeadModel, AssessmentModel, ScheduleCursorModel, StoredAssessment, StoredAssessmentHead } from './assessment.schema';

export interface AssessmentListing {
  period: string;
  kind: string;
  version: number;
  asOf: string;
  publishedAt: Date;
  statusSummary: Record<string, number>;
  receivedUpTo: string | null;
}

export const assessmentKey = (period: string, version: number) => `${period}#v${version}`;

const listingOf = (h: StoredAssessmentHead): AssessmentListing => ({
  period: h._id,
  kind: h.kind,
  version: h.version,
  asOf: h.asOf,
  publishedAt: h.publishedAt,
  statusSummary: h.statusSummary ?? {},
  receivedUpTo: h.receivedUpTo ?? null,
});

/** Insert-only for versions: there is deliberately no update — a published version never changes. */
export class AssessmentRepository {
  constructor(
    readonly model: AssessmentModel,
    readonly headModel: AssessmentHeadModel,
    readonly cursorModel: ScheduleCursorModel,
  ) {}

  /**
   * Publishes a version, then moves the period's head to it. False when another writer published
   * this version first (the caller re-reads and compares). A crash between the two writes leaves the
   * head one behind; `head` finds the newer version and repairs it.
   */
  async publish(
    doc: Omit<StoredAssessment, '_id'>,
    summary: { statusSummary: Record<string, number>; receivedUpTo: string | null; acceptedOffsets: Record<string, string> },
  ): Promise<boolean> {
    try {
      await this.model.create({ ...doc, _id: assessmentKey(doc.period, doc.version) });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    await this.moveHead({ _id: doc.period, kind: doc.kind, version: doc.version, asOf: doc.asOf, publishedAt: doc.publishedAt, ...summary });
    return true;
  }

  private async moveHead(head: StoredAssessmentHead): Promise<void> {
    try {
      // Only forward: a slower writer of an older version never moves the head back.
      await this.headModel.updateOne({ _id: head._id, version: { $lt: head.version } }, { $set: head }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // the head is already at this version or newer
    }
  }

  /** The newest version's head: by _id, then forward over versions a crash left unnamed. */
  async head(period: string): Promise<AssessmentListing | null> {
    let head: StoredAssessmentHead | null = await this.headModel.findById(period).lean<StoredAssessmentHead>();
    for (let v = (head?.version ?? 0) + 1; ; v++) {
      const newer = await this.model.findById(assessmentKey(period, v)).lean();
      if (!newer) break;
      const body = newer.body as {
        statusSummary?: Record<string, number>;
        cutoff?: { receivedUpTo?: string | null; acceptedOffsets?: Record<string, string> };
      };
      head = {
        _id: period,
        kind: newer.kind,
        version: v,
        asOf: newer.asOf,
        publishedAt: newer.publishedAt,
        statusSummary: body.statusSummary ?? {},
        receivedUpTo: body.cutoff?.receivedUpTo ?? null,
        acceptedOffsets: body.cutoff?.acceptedOffsets ?? {},
      };
      await this.moveHead(head);
    }
    return head ? listingOf(head) : null;
  }

  async latest(period: string): Promise<StoredAssessment | null> {
    const head = await this.head(period);
    return head ? this.version(period, head.version) : null;
  }

  async version(period: string, version: number): Promise<StoredAssessment | null> {
    return this.model.findById(assessmentKey(period, version)).lean();
  }

  /** Every period's newest version, by period. */
  async list(): Promise<AssessmentListing[]> {
    const heads = await this.headModel.find({}).lean<StoredAssessmentHead[]>();
    return heads.map(listingOf).sort((a, b) => a.period.localeCompare(b.period));
  }

  /**
   * Per published period, the latest version's cut-off: what the restatement watch compares the
   * indicator's applied offsets with (heads only, never report bodies).
   */
  async cutoffs(): Promise<{ period: string; receivedUpTo: string | null; acceptedOffsets: Record<string, string> }[]> {
    const heads = await this.headModel.find({}, { receivedUpTo: 1, acceptedOffsets: 1 }).lean<StoredAssessmentHead[]>();
    return heads
      .map((h) => ({ period: h._id, receivedUpTo: h.receivedUpTo ?? null, acceptedOffsets: h.acceptedOffsets ?? {} }))
      .sort((a, b) => a.period.localeCompare(b.period));
  }

  async lastCompleted(kind: string): Promise<string | null> {
    return (await this.cursorModel.findById(kind).lean())?.lastCompleted ?? null;
  }

  async setLastCompleted(kind: string, period: string): Promise<void> {
    await this.cursorModel.updateOne({ _id: kind }, { $set: { lastCompleted: period, at: new Date() } }, { upsert: true });
  }
}
