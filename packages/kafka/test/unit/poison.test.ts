// A chunk that keeps failing is split; the record that fails alone while the dependencies are up is
// handed over (dead-lettered by the caller) instead of being retried forever; while they are down,
// nothing is handed over and the error propagates (the batch is re-delivered later).
import type { BatchContext, InboundRecord } from '../../src';
import { handleChunkIsolatingPoison } from '../../src/poison';

const record = (offset: number): InboundRecord => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: null,
  headers: {},
  value: Buffer.from(`r${offset}`),
  timestamp: 0,
});
const ctx: BatchContext = { topic: 't', partition: 0, shouldContinue: () => true };
const records = [record(0), record(1), record(2), record(3)];

describe('handleChunkIsolatingPoison', () => {
  it('hands over exactly the record that fails alone, after handling the others', async () => {
    const handled: string[] = [];
    const poisoned: string[] = [];
    await handleChunkIsolatingPoison(
      records,
      ctx,
      async (chunk) => {
        if (chunk.some((r) => r.offset === '2')) throw new Error('storage throws for this record');
        handled.push(...chunk.map((r) => r.offset));
      },
      { handle: async (r) => void poisoned.push(r.offset), healthy: async () => true, backoffMs: 1 },
    );
    expect(poisoned).toEqual(['2']);
    expect(handled).toEqual(['0', '1', '3']);
  });

  it('hands over nothing while the dependencies are down: the error propagates', async () => {
    const poisoned: string[] = [];
    await expect(
      handleChunkIsolatingPoison(
        records,
        ctx,
        async () => {
          throw new Error('database unreachable');
        },
        { handle: async (r) => void poisoned.push(r.offset), healthy: async () => false, backoffMs: 1 },
      ),
    ).rejects.toThrow('database unreachable');
    expect(poisoned).toEqual([]);
  });

  it('gives a record one more try once the dependencies answer again (an outage that just ended)', async () => {
    let failures = 0;
    const poisoned: string[] = [];
    await handleChunkIsolatingPoison(
      [record(0)],
      ctx,
      async () => {
        if (failures++ < 3) throw new Error('transient');
      },
      { handle: async (r) => void poisoned.push(r.offset), healthy: async () => true, backoffMs: 1 },
    );
    expect(poisoned).toEqual([]);
    expect(failures).toBe(4);
  });

  it('does not retry a chunk that succeeds', async () => {
    let calls = 0;
    await handleChunkIsolatingPoison(records, ctx, async () => void calls++, { handle: async () => undefined, healthy: async () => true });
    expect(calls).toBe(1);
  });

  it('finds the poison by halving (few calls), and goes straight to it when the chunk is re-delivered', async () => {
    const many = Array.from({ length: 64 }, (_, i) => record(i));
    let calls = 0;
    const poisoned: string[] = [];
    const known = new Set<string>();
    const handler = async (chunk: InboundRecord[]) => {
      calls += 1;
      if (chunk.some((r) => r.offset === '37')) throw new Error('storage throws for this record');
    };
    const poison = { handle: async (r: InboundRecord) => void poisoned.push(r.offset), healthy: async () => true, backoffMs: 1 };
    await handleChunkIsolatingPoison(many, ctx, handler, poison, undefined, known);
    expect(poisoned).toEqual(['37']);
    // 3 tries and 1 more once healthy, 2 calls per halving (64 → 1), 1 last try alone.
    expect(calls).toBeLessThanOrEqual(3 + 1 + 2 * 6 + 1);
    calls = 0;
    await handleChunkIsolatingPoison(many, ctx, handler, poison, undefined, known);
    expect(poisoned).toEqual(['37', '37']);
    expect(calls).toBe(2);
  });

  it('never splits a chunk while its dependencies are down: the whole chunk is left for re-delivery', async () => {
    const sizes: number[] = [];
    await expect(
      handleChunkIsolatingPoison(
        records,
        ctx,
        async (chunk) => {
          sizes.push(chunk.length);
          throw new Error('connection 1 to 127.0.0.1:27027 closed');
        },
        { handle: async () => undefined, healthy: async () => false, backoffMs: 1 },
      ),
    ).rejects.toThrow('closed');
    expect(sizes).toEqual([4, 4, 4]);
  });

  it('tries the whole chunk once more when the dependencies are back (a database restart), before splitting', async () => {
    const sizes: number[] = [];
    let failures = 0;
    await handleChunkIsolatingPoison(
      records,
      ctx,
      async (chunk) => {
        sizes.push(chunk.length);
        if (failures++ < 3) throw new Error('database restarting');
      },
      { handle: async () => undefined, healthy: async () => true, backoffMs: 1 },
    );
    expect(sizes).toEqual([4, 4, 4, 4]);
  });

  it('stops splitting when a dependency goes down midway, and hands over nothing', async () => {
    const many = Array.from({ length: 16 }, (_, i) => record(i));
    const sizes: number[] = [];
    const poisoned: string[] = [];
    let checks = 0;
    await expect(
      handleChunkIsolatingPoison(
        many,
        ctx,
        async (chunk) => {
          sizes.push(chunk.length);
          if (chunk.some((r) => r.offset === '5')) throw new Error('storage throws for this record');
        },
        // Up for the first two checks (before the extra whole try, and before the first split), then down.
        { handle: async (r) => void poisoned.push(r.offset), healthy: async () => checks++ < 2, backoffMs: 1 },
      ),
    ).rejects.toThrow('storage throws');
    expect(poisoned).toEqual([]);
    expect(Math.min(...sizes)).toBe(8);
  });
});
