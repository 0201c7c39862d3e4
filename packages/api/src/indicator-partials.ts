// Shapes of the indicator's internal partial routes that let alerting and the gateway ask the
// indicator what it holds in memory (task reports, applied offsets, newly applied events, data
// quality) instead of scanning the event store. One instance answers for its partitions; the
// IndicatorClient merges the answers of all instances.
import { z } from 'zod';
import type { TaskProgressReported } from '@siliconalley/contract';

/** GET /partial/tasks: the task-progress reports the instance holds. */
export interface PartialTasks {
  partitions: number[];
  reports: TaskProgressReported[];
}

/** GET /partial/applied (answered while replaying too): next offset to apply per owned partition. */
export interface PartialApplied {
  partitions: number[];
  ready: boolean;
  /** Partition (decimal) → offset after the last applied record (decimal; "0" when none yet). */
  applied: Record<string, string>;
}

/** Newly applied events of one (type, source, effective month). */
export interface ChangeGroup {
  type: string;
  source: string;
  /** `YYYY-MM` of the events' effectiveDate. */
  month: string;
  events: number;
  /**
   * Up to CHANGE_EXAMPLES event ids, for tracing: the smallest, sorted, so the choice does not
   * depend on how the partitions are split among instances or in which order answers arrive.
   */
  examples: string[];
}

export interface Changes {
  /** Earliest effectiveDate among the events (KPIs change from that day on); null when none. */
  minEffectiveDate: string | null;
  /** Sorted by type, source, month. */
  groups: ChangeGroup[];
}

/** GET /partial/changes?since=<partition>:<offset>,…: events applied for the first time from those offsets on. */
export interface PartialChanges extends Changes {
  partitions: number[];
}

/** GET /partial/data-quality?asOf=d1,d2: certificates whose firm is unknown on each day. */
export interface PartialDataQuality {
  partitions: number[];
  certificatesWithoutKnownFirm: Record<string, number>;
}

/** Event ids kept per change group (as many as a restatement cause shows). */
export const CHANGE_EXAMPLES = 5;

const OFFSETS = /^(\d{1,9}:\d{1,19}(,\d{1,9}:\d{1,19}){0,999})?$/;

export const partialChangesQuery = () =>
  z
    .object({
      since: z
        .string()
        .regex(OFFSETS, 'must be comma-separated <partition>:<offset> pairs, e.g. 0:123,1:456')
        .optional()
        .meta({ description: 'Per partition, the first offset to report; a partition not listed: from its start' }),
    })
    .strict();

/** `{ "0": "123", "1": "456" }` → `0:123,1:456` (the `since` parameter). */
export function formatOffsets(offsets: Readonly<Record<string, string>>): string {
  return Object.entries(offsets)
    .map(([p, o]) => `${p}:${o}`)
    .join(',');
}

/** The `since` parameter back into partition → offset; a partition given twice is refused. */
export function parseOffsets(since: string | undefined): Map<number, bigint> {
  const out = new Map<number, bigint>();
  if (!since) return out;
  if (!OFFSETS.test(since)) throw new Error('must be comma-separated <partition>:<offset> pairs, e.g. 0:123,1:456');
  for (const pair of since.split(',')) {
    const [p, o] = pair.split(':') as [string, string];
    const partition = Number(p);
    if (out.has(partition)) throw new Error(`partition ${partition} is given twice`);
    out.set(partition, BigInt(o));
  }
  return out;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Keeps `examples` the CHANGE_EXAMPLES smallest ids seen, sorted. */
function keepExample(examples: string[], id: string): void {
  if (examples.length >= CHANGE_EXAMPLES && id >= examples[examples.length - 1]!) return;
  let i = examples.length;
  while (i > 0 && examples[i - 1]! > id) i--;
  if (i > 0 && examples[i - 1] === id) return;
  examples.splice(i, 0, id);
  if (examples.length > CHANGE_EXAMPLES) examples.pop();
}

/**
 * Sums change groups by (type, source, month), keeping the first CHANGE_EXAMPLES example ids. Keyed
 * by a Map: types and sources are provider-controlled strings.
 */
export class ChangeGroupSum {
  private readonly groups = new Map<string, ChangeGroup>();
  minEffectiveDate: string | null = null;

  /** Counts one event (its effectiveDate gives the month). */
  addEvent(e: { type: string; source: string; id: string; effectiveDate: string }): void {
    this.addGroup({ type: e.type, source: e.source, month: e.effectiveDate.slice(0, 7), events: 1, examples: [e.id] });
    this.noteEffectiveDate(e.effectiveDate);
  }

  addGroup(g: ChangeGroup): void {
    const key = `${g.type}\u0000${g.source}\u0000${g.month}`;
    let sum = this.groups.get(key);
    if (!sum) this.groups.set(key, (sum = { type: g.type, source: g.source, month: g.month, events: 0, examples: [] }));
    sum.events += g.events;
    for (const id of g.examples) keepExample(sum.examples, id);
  }

  noteEffectiveDate(d: string | null): void {
    if (d !== null && (this.minEffectiveDate === null || d < this.minEffectiveDate)) this.minEffectiveDate = d;
  }

  /** Adds an answer (an instance's) into this sum. */
  addAll(changes: Changes): void {
    this.noteEffectiveDate(changes.minEffectiveDate);
    for (const g of changes.groups) this.addGroup(g);
  }

  /** Adds another sum into this one. */
  merge(other: ChangeGroupSum): void {
    this.noteEffectiveDate(other.minEffectiveDate);
    for (const g of other.groups.values()) this.addGroup(g);
  }

  get size(): number {
    return this.groups.size;
  }

  result(): Changes {
    const groups = [...this.groups.values()]
      .map((g) => ({ ...g, examples: [...g.examples] }))
      .sort((a, b) => compareText(a.type, b.type) || compareText(a.source, b.source) || compareText(a.month, b.month));
    return { minEffectiveDate: this.minEffectiveDate, groups };
  }
}
