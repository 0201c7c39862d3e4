import { duplicateKeyRefusals, READ_TIME_LIMIT_MS } from '@siliconalley/db';
import type { Disposition, DispositionModel, StoredDisposition } from './disposition.schema';

export interface PipelineCounts {
  accepted: number;
  duplicates: number;
  rejected: Record<string, number>;
  byTopic: Record<string, { accepted: number; duplicates: number; rejected: number }>;
}

export class DispositionRepository {
  constructor(readonly model: DispositionModel) {}

  /**
   * Idempotent: a re-delivered record finds its row already there (same position, same verdict),
   * and the duplicate-key error for it is expected.
   */
  async record(rows: StoredDisposition[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.model.insertMany(rows, { ordered: false, lean: true });
    } catch (err) {
      // Only duplicate refusals are expected; a cut connection must fail the batch, not pass as done.
      if (!duplicateKeyRefusals(err)) throw err;
    }
  }

  async counts(): Promise<PipelineCounts> {
    const rows = await this.model.aggregate<{ _id: { topic: string; disposition: Disposition; reason: string | null }; n: number }>([
      { $group: { _id: { topic: '$topic', disposition: '$disposition', reason: '$reason' }, n: { $sum: 1 } } },
    ]).option({ maxTimeMS: READ_TIME_LIMIT_MS });
    const out: PipelineCounts = { accepted: 0, duplicates: 0, rejected: {}, byTopic: {} };
    for (const { _id, n } of rows) {
      const t = (out.byTopic[_id.topic] ??= { accepted: 0, duplicates: 0, rejected: 0 });
      if (_id.disposition === 'accepted') {
        out.accepted += n;
        t.accepted += n;
      } else if (_id.disposition === 'duplicate') {
        out.duplicates += n;
        t.duplicates += n;
      } else {
        const reason = _id.reason ?? 'unknown';
        out.rejected[reason] = (out.rejected[reason] ?? 0) + n;
        t.rejected += n;
      }
    }
    return out;
  }

  async rejectedByProvider(): Promise<Record<string, Record<string, number>>> {
    const rows = await this.model.aggregate<{ _id: { source: string | null; reason: string }; n: number }>([
      { $match: { disposition: 'rejected' } },
      { $group: { _id: { source: '$source', reason: '$reason' }, n: { $sum: 1 } } },
    ]).option({ maxTimeMS: READ_TIME_LIMIT_MS });
    const out: Record<string, Record<string, number>> = {};
    for (const { _id, n } of rows) {
      const provider = _id.source ?? '(unreadable)';
      (out[provider] ??= {})[_id.reason] = n;
    }
    return out;
  }
}
