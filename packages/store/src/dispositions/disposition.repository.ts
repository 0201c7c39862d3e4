import { duplicateKeyRefusals } from '@siliconalley/db';
import type { DispositionChunkModel, StoredDisposition } from './disposition.schema';

export class DispositionRepository {
  constructor(readonly model: DispositionChunkModel) {}

  /**
   * The rows of one chunk as one document. Idempotent: a re-delivered chunk with the same
   * boundaries finds its document already there (the duplicate-key error is expected); with other
   * boundaries its rows are stored again and `rows()` keeps one per position.
   */
  async record(rows: StoredDisposition[]): Promise<void> {
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return;
    const at = rows.reduce((latest, r) => (r.at > latest ? r.at : latest), first.at);
    const doc = { _id: `${first._id}..${last._id}#${rows.length}`, rows: rows.map(({ at: _at, ...row }) => row), at };
    try {
      await this.model.insertMany([doc], { ordered: false, lean: true });
    } catch (err) {
      // Only a duplicate refusal is expected; a cut connection must fail the chunk, not pass as done.
      if (!duplicateKeyRefusals(err)) throw err;
    }
  }

  /**
   * Every record's verdict, one per position (an offline audit: it streams the whole collection).
   * `at` is when the chunk that holds the row was settled.
   */
  async *rows(): AsyncIterable<StoredDisposition> {
    const seen = new Set<string>();
    for await (const chunk of this.model.find({}).lean().batchSize(200).cursor()) {
      for (const row of chunk.rows) {
        if (seen.has(row._id)) continue;
        seen.add(row._id);
        yield { ...row, at: chunk.at };
      }
    }
  }

  /** `rows()` collected (offline audits and tests: the whole collection). */
  async list(): Promise<StoredDisposition[]> {
    const out: StoredDisposition[] = [];
    for await (const row of this.rows()) out.push(row);
    return out;
  }
}
