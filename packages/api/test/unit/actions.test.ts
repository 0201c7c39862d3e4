// GET /partial/actions: `limit` asks each instance for the first entries of each list and the whole
// lists' lengths; IndicatorClient.actions merges such heads. Without `limit`, the whole lists as before.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionLists } from '@siliconalley/kpi-engine';
import { describeIssues, IndicatorClient, partialActionsQuery, type PartialActionsHead } from '../../src';

const now = () => new Date('2026-11-26T04:00:00Z');
const issues = (r: { success: boolean; error?: unknown }) => (r.success ? '' : describeIssues(r.error as never));
const base = { asOf: '2025-06-30', zone: 'QL', within: '180' };

describe('partialActionsQuery: limit', () => {
  it('is optional: without it the query is as before', () => {
    const r = partialActionsQuery(now).safeParse(base);
    expect(r.success && r.data).toEqual({ asOf: '2025-06-30', zone: 'QL', within: 180 });
  });

  it('takes a positive whole number', () => {
    for (const [limit, n] of [
      ['1', 1],
      ['1000', 1000],
      ['250000', 250000],
    ] as const) {
      const r = partialActionsQuery(now).safeParse({ ...base, limit });
      expect([limit, r.success && r.data.limit]).toEqual([limit, n]);
    }
  });

  it.each([
    ['0', /^limit: must be at least 1/],
    ['-5', /^limit: must be at least 1/],
    ['1.5', /^limit: must be a whole number/],
    ['ten', /^limit: /],
    ['', /^limit: must be at least 1/],
  ])('refuses limit=%j with a message naming limit (a 400)', (limit, message) => {
    const r = partialActionsQuery(now).safeParse({ ...base, limit });
    expect(r.success).toBe(false);
    expect(issues(r)).toMatch(message);
  });
});

/** An entry of each list for firm `n`: ordered by n in every list (relocation: distance n). */
function entries(ns: readonly number[]): ActionLists {
  const firm = (n: number) => ({ uscc: `91110101MA${String(n).padStart(8, '0')}`, name: `firm ${n}`, focusIndustry: null, zones: [] });
  return {
    renewalsDue: ns.map((n) => ({ ...firm(n), lapsesOn: `2025-${String(1 + (n % 12)).padStart(2, '0')}-01`, certificates: [] })),
    relocationCandidates: ns.map((n) => ({ ...firm(n), distanceMeters: n, kinds: ['HNTE' as const] })),
    nextTier: ns.map((n) => ({ ...firm(n), certificateNo: `CX-${n}`, validUntil: `2027-${String(1 + (n % 12)).padStart(2, '0')}-28` })),
  };
}

/** An instance holding firms `ns` on `partitions`: answers /partial/actions as the indicator does. */
async function instance(partitions: number[], ns: number[], seen: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    seen.push(req.url!);
    const limit = new URL(req.url!, 'http://x').searchParams.get('limit');
    const whole = entries(ns);
    // Sorted as the indicator sorts (kpi-engine sortActionLists).
    whole.renewalsDue.sort((a, b) => (a.lapsesOn < b.lapsesOn ? -1 : a.lapsesOn > b.lapsesOn ? 1 : a.uscc < b.uscc ? -1 : 1));
    whole.relocationCandidates.sort((a, b) => a.distanceMeters! - b.distanceMeters!);
    whole.nextTier.sort((a, b) => (a.validUntil > b.validUntil ? -1 : a.validUntil < b.validUntil ? 1 : a.uscc < b.uscc ? -1 : 1));
    const body =
      limit === null
        ? { partitions, ...whole }
        : ({
            partitions,
            renewalsDue: whole.renewalsDue.slice(0, Number(limit)),
            relocationCandidates: whole.relocationCandidates.slice(0, Number(limit)),
            nextTier: whole.nextTier.slice(0, Number(limit)),
            lengths: { renewalsDue: ns.length, relocationCandidates: ns.length, nextTier: ns.length },
          } satisfies PartialActionsHead);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('IndicatorClient.actions with a limit', () => {
  it('keeps the first `limit` of the merged lists and sums the lengths; without a limit, the whole lists', async () => {
    const seen: string[] = [];
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    const a = await instance(
      [0, 2],
      all.filter((n) => n % 3 === 0),
      seen,
    );
    const b = await instance(
      [1],
      all.filter((n) => n % 3 !== 0),
      seen,
    );
    const one = await instance([0, 1, 2], all, seen);
    const two = new IndicatorClient([a.url, b.url]);
    const whole = await new IndicatorClient([one.url]).actions('QL', '2025-06-30', 180);
    expect(await two.actions('QL', '2025-06-30', 180)).toEqual(whole);
    expect(whole.relocationCandidates).toHaveLength(40);
    for (const limit of [1, 7, 39, 40, 1000]) {
      const head = await two.actions('QL', '2025-06-30', 180, limit);
      expect([limit, head]).toEqual([
        limit,
        {
          renewalsDue: whole.renewalsDue.slice(0, limit),
          relocationCandidates: whole.relocationCandidates.slice(0, limit),
          nextTier: whole.nextTier.slice(0, limit),
          lengths: { renewalsDue: 40, relocationCandidates: 40, nextTier: 40 },
        },
      ]);
    }
    expect(seen).toContain('/partial/actions?zone=QL&asOf=2025-06-30&within=180&limit=7');
    expect(seen).toContain('/partial/actions?zone=QL&asOf=2025-06-30&within=180');
    await Promise.all([a.close(), b.close(), one.close()]);
  });
});
