import { duplicateKeyRefusals } from '@siliconalley/db';
import type { DispositionModel, StoredDisposition } from './disposition.schema';

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
}
