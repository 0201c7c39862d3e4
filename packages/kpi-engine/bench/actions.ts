// Action lists over synthetic candidate firms: the first call on a registry (every firm state located,
// its zones found, its distance to the zone measured) against repeat calls (all of that remembered per
// state), and the memory the remembered places take. Not a test, records nothing:
// `npx tsc -p bench/tsconfig.json && node --expose-gc bench/dist/actions.js [-- 100000,400000]`.
import { performance } from 'node:perf_hooks';
import { syntheticFirmEvents, syntheticUscc } from '@siliconalley/testkit';
import { defaultZoneRegistry, ZoneRegistry } from '@siliconalley/zones';
import {
  actionListsOf,
  certificateValidOn,
  DEFAULT_ACTION_WINDOW_DAYS,
  dayNumber,
  isActionCandidate,
  resolveFirmHistory,
  type FirmHistory,
} from '@siliconalley/kpi-engine';

const base = defaultZoneRegistry();
/** A registry no list has been asked of yet: nothing remembered for it. */
const freshRegistry = (): ZoneRegistry => new ZoneRegistry(base.name, base.zones, base.buildings);
const DATES = Array.from({ length: 12 }, (_, i) => `${2015 + i}-06-30`);
const RELEVANT = new Set(['HNTE', 'SRDI_SME', 'SRDI_GIANT', 'INNOVATIVE_SME']);

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const heap = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};
const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[samples.length >> 1]!;

function time(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** States a list on one of DATES locates: valid qualifying or innovative-SME certificate, in the district. */
function locatedStates(firms: readonly [string, FirmHistory][]): number {
  const states = new Set<object>();
  for (const day of DATES.map(dayNumber)) {
    for (const [, history] of firms) {
      if (!history.certificates.some((c) => RELEVANT.has(c.kind) && certificateValidOn(c, day))) continue;
      const state = history.states.find((s) => s.from <= day && day < s.to);
      if (state !== undefined && state.districtCode === '110101') states.add(state);
    }
  }
  return states.size;
}

function bench(size: number): void {
  const firms: [string, FirmHistory][] = [];
  for (let n = 0; n < size; n++) {
    const history = resolveFirmHistory(syntheticFirmEvents(n));
    if (isActionCandidate(history)) firms.push([syntheticUscc(n), history]);
  }
  console.log(`\n== ${size.toLocaleString('en')} synthetic firms, ${firms.length.toLocaleString('en')} candidates`);
  const query = (asOf: string) => ({ zoneId: 'QL', asOf, within: DEFAULT_ACTION_WINDOW_DAYS });
  actionListsOf(firms, freshRegistry(), query(DATES[0]!)); // warm-up: let the JIT compile the list path

  // First call of each date on a registry never asked before: the uncached cost.
  const firsts = DATES.map((asOf) => {
    const registry = freshRegistry();
    return time(() => actionListsOf(firms, registry, query(asOf)));
  });
  // One registry asked every date once (filling its places), then every date again.
  const registry = freshRegistry();
  const before = heap();
  for (const asOf of DATES) actionListsOf(firms, registry, query(asOf));
  const placeBytes = heap() - before;
  const repeats = DATES.flatMap((asOf) => [0, 1].map(() => time(() => actionListsOf(firms, registry, query(asOf)))));
  const located = locatedStates(firms);

  const [first, repeat] = [median(firsts), median(repeats)];
  console.log(`first call (nothing remembered): median ${ms(first)} over ${DATES.length} dates`);
  console.log(`repeat call (places remembered): median ${ms(repeat)}; ratio first / repeat ×${(first / repeat).toFixed(1)}`);
  console.log(
    `remembered places: ${located.toLocaleString('en')} states, heap +${(placeBytes / 2 ** 20).toFixed(1)} MiB ≈ ${(placeBytes / Math.max(1, located)).toFixed(0)} B per state`,
  );
}

for (const size of (process.argv[2] ?? '100000').split(',').map(Number)) bench(size);
