// The ingest ledgers this instance writes, remembered between chunks so that a chunk costs no read:
// every write is conditional on the version read, so a ledger another instance advanced meanwhile
// (a rebalance) fails the write with LedgerConflict, is forgotten, and the chunk's retry reloads it
// (LedgerConflict).
import { ledgerId, type LedgerRepository, type LedgerState } from '@siliconalley/store';

export class LedgerBook {
  private readonly known = new Map<string, LedgerState>();

  constructor(private readonly repo: Pick<LedgerRepository, 'load' | 'write'>) {}

  async get(topic: string, partition: number): Promise<LedgerState> {
    const id = ledgerId(topic, partition);
    const cached = this.known.get(id);
    if (cached) return cached;
    const loaded = await this.repo.load(topic, partition);
    this.known.set(id, loaded);
    return loaded;
  }

  async write(next: LedgerState): Promise<LedgerState> {
    const id = ledgerId(next.topic, next.partition);
    try {
      const written = await this.repo.write(next);
      this.known.set(id, written);
      return written;
    } catch (err) {
      // A conflict, or a write whose outcome is unknown (a cut connection): read it again next time.
      this.known.delete(id);
      throw err;
    }
  }
}
