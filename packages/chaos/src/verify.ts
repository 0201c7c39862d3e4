// After the run: everything published has exactly one disposition, the one the log intends;
// every reject is in the dead-letter topic; no group lags; every KPI the API serves equals a full
// recount from the event store, and targets and tasks equal a judgement on that recount;
// rebalances stayed within the bound their causes allow.
import { readFileSync, existsSync } from 'node:fs';
import { SOURCE_TOPICS, TOPICS, chinaDateOf, dayNumber, isoDate, monthEndsBetween } from '@siliconalley/contract';
import { CONSUMER_GROUPS, DLQ_HEADERS, recordPosition, type KafkaClient } from '@siliconalley/kafka';
import type { TaskReport } from '@siliconalley/plan';
import type { Store } from '@siliconalley/store';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import { defaultZoneRegistry } from '@siliconalley/zones';
import { Evaluator } from '@siliconalley/service-alerting/dist/evaluate';
import { stateFromStore } from '@siliconalley/service-indicator/dist/service';
import { differences, entryKey, sameNumber } from './compare';
import type { ChaosLog } from './log';
import type { Fault } from './plan';
import { readTopics, signature } from './readback';
import { ingestGroups } from './groups';
import { seededRandom } from './plan';
import type { ServiceProcess } from './services';

export interface VerifyInput {
  kafka: KafkaClient;
  store: Store;
  log: ChaosLog;
  published: number;
  intendedBySignature: Map<string, string[]>;
  gatewayUrl: string;
  token: string;
  seed: number;
  services: ServiceProcess[];
  faults: Fault[];
  sessionTimeoutMs: number;
  say: (line: string) => void;
}

export interface RebalanceCount {
  /** Generations completed (one leader join each). */
  generations: number;
  /** Member joins (every member, every generation). */
  joins: number;
  bound: number;
}

export interface VerifyReport {
  intended: { accepted: number; duplicates: number; rejected: Record<string, number> };
  counts: { accepted: number; duplicates: number; rejected: Record<string, number>; dispositions: number; events: number; readBack: number };
  deadLetter: { records: number; positions: number; redelivered: number };
  lags: Record<string, number>;
  kpis: { dates: number; entries: number };
  targets: { dates: number };
  rebalances: Record<string, RebalanceCount>;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_LISTED = 20;

/** The database may be slow right after its restart, or on a busy machine: reads are retried. */
async function retried<T>(what: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
      await sleep(2000 * i);
    }
  }
}

export async function verify(v: VerifyInput): Promise<VerifyReport> {
  const problems: string[] = [];
  const { kafka, store } = v;

  // 1. Dispositions: counts, one per published position, the intended one per record.
  const intended = { accepted: 0, duplicates: 0, rejected: {} as Record<string, number> };
  for (const list of v.intendedBySignature.values()) {
    for (const want of list) {
      if (want === 'accepted') intended.accepted += 1;
      else if (want === 'duplicate') intended.duplicates += 1;
      else {
        const reason = want.slice('rejected:'.length);
        intended.rejected[reason] = (intended.rejected[reason] ?? 0) + 1;
      }
    }
  }
  // Counted from one pass over the dispositions, not the store's `$group` (which FerretDB cannot
  // finish inside the read time limit at 1M records); the same pass gives each position's disposition.
  const dispositionOf = new Map<string, string>();
  const counts = { accepted: 0, duplicates: 0, rejected: {} as Record<string, number> };
  await retried('reading dispositions', async () => {
    dispositionOf.clear();
    Object.assign(counts, { accepted: 0, duplicates: 0, rejected: {} });
    for await (const d of store.dispositions.rows()) {
      dispositionOf.set(d._id, d.disposition === 'rejected' ? `rejected:${d.reason}` : d.disposition);
      if (d.disposition === 'accepted') counts.accepted += 1;
      else if (d.disposition === 'duplicate') counts.duplicates += 1;
      else counts.rejected[d.reason ?? 'unknown'] = (counts.rejected[d.reason ?? 'unknown'] ?? 0) + 1;
    }
  });
  const rejectedTotal = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
  if (counts.accepted + counts.duplicates + rejectedTotal !== v.published) {
    problems.push(`accepted ${counts.accepted} + duplicates ${counts.duplicates} + rejected ${rejectedTotal} ≠ ${v.published} records published`);
  }
  if (counts.accepted !== intended.accepted) problems.push(`accepted: ${counts.accepted}, the log intends ${intended.accepted}`);
  if (counts.duplicates !== intended.duplicates) problems.push(`duplicates: ${counts.duplicates}, the log intends ${intended.duplicates}`);
  for (const d of differences(counts.rejected, intended.rejected, 'rejected')) problems.push(`rejections by reason: ${d}`);
  // The counts every view reads (the ingest ledgers, kept as records are settled) agree with the
  // recount, whatever was killed, frozen or re-delivered along the way.
  const ledgers = await retried('reading the ingest ledgers', () => store.ledgers.totals());
  const kept = { accepted: ledgers.accepted, duplicates: ledgers.duplicates, rejected: { ...ledgers.rejected } };
  for (const d of differences(kept, counts, 'ingest ledgers')) problems.push(`${d} (the recount of the dispositions)`);
  const actualBySignature = new Map<string, string[]>();
  const seen = new Set<string>();
  const readBack = await readTopics(
    kafka,
    SOURCE_TOPICS.map((t) => kafka.topic(t)),
    (r) => {
      const position = recordPosition(r);
      seen.add(position);
      const sig = signature(r.topic, r.key, r.value);
      const got = dispositionOf.get(position) ?? 'no disposition';
      const list = actualBySignature.get(sig);
      if (list) list.push(got);
      else actualBySignature.set(sig, [got]);
    },
    'sources',
  );
  if (readBack !== v.published) problems.push(`${readBack} records in the source topics, ${v.published} published`);
  if (dispositionOf.size !== readBack) problems.push(`${dispositionOf.size} dispositions for ${readBack} record positions`);
  const strays = [...dispositionOf.keys()].filter((p) => !seen.has(p));
  if (strays.length) problems.push(`${strays.length} dispositions for positions that hold no record, e.g. ${strays.slice(0, 5).join(', ')}`);
  let mismatched = 0;
  for (const [sig, wanted] of v.intendedBySignature) {
    const got = [...(actualBySignature.get(sig) ?? [])].sort();
    const want = [...wanted].sort();
    if (JSON.stringify(got) !== JSON.stringify(want) && mismatched++ < MAX_LISTED)
      problems.push(`record ${sig}: dispositions ${JSON.stringify(got)}, intended ${JSON.stringify(want)}`);
  }
  for (const sig of actualBySignature.keys())
    if (!v.intendedBySignature.has(sig) && mismatched++ < MAX_LISTED) problems.push(`record ${sig} read back was never published`);
  if (mismatched > MAX_LISTED) problems.push(`… ${mismatched - MAX_LISTED} more records with other dispositions than intended`);
  v.say(`[chaos] dispositions checked: ${readBack} records, ${mismatched} mismatches`);

  // 2. The dead-letter topic holds every reject (re-deliveries may add copies, never other records).
  const dlqCopies = new Map<string, number>();
  const dlqRecords = await readTopics(
    kafka,
    [kafka.topic(TOPICS.deadLetter)],
    (r) => {
      // The rejected record's own position, from the headers the dead-letter producer wrote.
      const h = r.headers;
      const position = recordPosition({
        topic: String(h[DLQ_HEADERS.topic]),
        partition: String(h[DLQ_HEADERS.partition]),
        offset: String(h[DLQ_HEADERS.offset]),
      });
      dlqCopies.set(position, (dlqCopies.get(position) ?? 0) + 1);
    },
    'deadletter',
  );
  const rejectedPositions = [...dispositionOf].filter(([, d]) => d.startsWith('rejected:')).map(([p]) => p);
  const notDeadLettered = rejectedPositions.filter((p) => !dlqCopies.has(p));
  if (notDeadLettered.length)
    problems.push(`${notDeadLettered.length} rejected records missing from the dead-letter topic, e.g. ${notDeadLettered.slice(0, 5).join(', ')}`);
  const rejectedSet = new Set(rejectedPositions);
  const wronglyDeadLettered = [...dlqCopies.keys()].filter((p) => !rejectedSet.has(p));
  if (wronglyDeadLettered.length)
    problems.push(`${wronglyDeadLettered.length} dead letters for records not rejected, e.g. ${wronglyDeadLettered.slice(0, 5).join(', ')}`);

  // 3. No partition stayed blocked: every group has committed everything.
  const lags: Record<string, number> = {};
  const groups: [string, string[]][] = [...Object.entries(ingestGroups), [CONSUMER_GROUPS.indicator, [TOPICS.accepted]]];
  for (const [group, topics] of groups) {
    const lag = await kafka.consumerLag(
      kafka.group(group),
      topics.map((t) => kafka.topic(t)),
    );
    for (const [topic, n] of Object.entries(lag)) lags[`${group} ${topic}`] = n;
    if (Object.keys(lag).length !== topics.length) problems.push(`group ${group} has no committed offsets for ${topics.join(', ')}`);
  }
  for (const [k, n] of Object.entries(lags)) if (n !== 0) problems.push(`lag ${n} for ${k}`);

  // 4. KPIs from the API = a full recount from the event store, on every month end and a few days.
  // The same pass counts the stored events: one per accepted record, none lost or stored twice.
  const read = { events: 0 };
  const rebuilt = await retried('recount from the event store', () => stateFromStore(store, defaultZoneRegistry(), read));
  const events = read.events;
  if (events !== counts.accepted) problems.push(`${events} events stored for ${counts.accepted} accepted records`);
  const today = chinaDateOf(new Date());
  // ISO dates compare as text.
  const last = v.log.to < today ? v.log.to : today;
  const rnd = seededRandom(v.seed ^ 0xda7e);
  const days = new Set(monthEndsBetween(v.log.from, last));
  const first = dayNumber(v.log.from);
  const span = dayNumber(last) - first;
  for (let i = 0; i < 4; i++) days.add(isoDate(first + Math.floor(rnd() * span)));
  for (const d of Object.keys(v.log.expected?.asOf ?? {})) if (d <= today) days.add(d);
  const dates = [...days].sort();
  const get = async (path: string): Promise<Record<string, unknown>> => {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${v.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${v.token}` } }).catch(() => null);
      if (res?.ok) return (await res.json()) as Record<string, unknown>;
      if (attempt > 60 || (res && res.status !== 503 && res.status !== 502))
        throw new Error(`GET ${path}: ${res ? `${res.status} ${await res.text()}` : 'no answer'}`);
      await sleep(1000);
    }
  };
  let entries = 0;
  let kpiProblems = 0;
  for (const asOf of dates) {
    const body = await get(`/kpis?asOf=${asOf}`);
    const served = new Map(
      (body.kpis as { id: string; scope: string; kind?: string; industry?: string; within?: number; value: number | null }[]).map((e) => [
        entryKey(e),
        e.value,
      ]),
    );
    const recount = rebuilt.engine.kpis(asOf);
    if (served.size !== recount.length && kpiProblems++ < MAX_LISTED)
      problems.push(`${asOf}: the API serves ${served.size} KPI entries, the recount has ${recount.length}`);
    for (const e of recount) {
      entries += 1;
      const key = entryKey(e);
      const got = served.get(key);
      const same = got === undefined ? false : got === null || e.value === null ? got === e.value : sameNumber(got, e.value);
      if (!same && kpiProblems++ < MAX_LISTED) problems.push(`${asOf} ${key}: API ${got === undefined ? 'missing' : got}, recount from the store ${e.value}`);
    }
    // A fixture also says what the numbers must be.
    for (const want of v.log.expected?.asOf[asOf] ?? []) {
      const mine = recount.find((e) => entryKey(e) === entryKey(want));
      const same = mine !== undefined && (mine.value === null || want.value === null ? mine.value === want.value : sameNumber(mine.value, want.value));
      if (!same && kpiProblems++ < MAX_LISTED) problems.push(`${asOf} ${entryKey(want)}: recount ${mine?.value}, fixture expects ${want.value}`);
    }
  }
  if (kpiProblems > MAX_LISTED) problems.push(`… ${kpiProblems - MAX_LISTED} more KPI differences`);
  v.say(`[chaos] KPIs checked: ${entries} entries on ${dates.length} dates`);

  // 5. Targets and tasks from the API = a judgement on the recount.
  const local = new Evaluator(
    {
      counts: async (ds: readonly string[]) => ({ zoneIds: [...rebuilt.zones.zoneIds], byDate: new Map(ds.map((d) => [d, rebuilt.engine.seriesCounts(d)])) }),
    },
    { reports: async () => rebuilt.taskReports() as unknown as TaskReport[] },
    DEFAULT_TARGETS,
  );
  const targetDates = dates.filter((d) => d >= '2024-01-01');
  let targetProblems = 0;
  for (const asOf of targetDates) {
    const [targets, tasks] = await Promise.all([get(`/targets?asOf=${asOf}`), get(`/tasks?asOf=${asOf}`)]);
    const want = JSON.parse(JSON.stringify({ targets: await local.targets(asOf), tasks: await local.tasksOn(asOf) })) as Record<string, unknown>;
    for (const d of [...differences(targets.targets, want.targets, `${asOf} targets`), ...differences(tasks.tasks, want.tasks, `${asOf} tasks`)]) {
      if (targetProblems++ < MAX_LISTED) problems.push(d);
    }
  }
  if (targetProblems > MAX_LISTED) problems.push(`… ${targetProblems - MAX_LISTED} more target/task differences`);
  v.say(`[chaos] targets and tasks checked on ${targetDates.length} dates`);

  // 6. Rebalances: counted from the members' own "joined consumer group" lines.
  const rebalances = countRebalances(v.services, v.faults);
  for (const [group, r] of Object.entries(rebalances)) {
    if (r.generations < 1) problems.push(`group ${group}: no rebalance seen at all (are the service logs at info?)`);
    if (r.generations > r.bound) problems.push(`group ${group}: ${r.generations} rebalances, more than the bound ${r.bound}`);
  }

  return {
    intended,
    counts: { accepted: counts.accepted, duplicates: counts.duplicates, rejected: counts.rejected, dispositions: dispositionOf.size, events, readBack },
    deadLetter: { records: dlqRecords, positions: dlqCopies.size, redelivered: dlqRecords - dlqCopies.size },
    lags,
    kpis: { dates: dates.length, entries },
    targets: { dates: targetDates.length },
    rebalances,
    problems,
  };
}

/**
 * Rebalances per consumer group and their bound. A new generation starts only when the membership
 * changes or the group's coordinator is lost: a member starting (1), a member dying — SIGKILL or
 * exiting by itself — (1), a member frozen past its session timeout (2: evicted, then rejoining),
 * a broker restart (2 per group: every member rejoins the reloaded coordinator, and members that
 * reconnect at different moments may need a second round), a database restart (2 per group: a
 * consumer whose chunk fails may restart and rejoin once more). More than that sum means a
 * rebalance storm (members evicting each other, a crash loop).
 */
export function countRebalances(services: ServiceProcess[], faults: Fault[]): Record<string, RebalanceCount> {
  const infraRestarts = faults.filter((f) => f.kind === 'restart-broker' || f.kind === 'restart-database').length;
  const out: Record<string, RebalanceCount> = {};
  for (const s of services) {
    if (!existsSync(s.logFile)) continue;
    let group: string | null = null;
    for (const line of readFileSync(s.logFile, 'utf8').split('\n')) {
      if (!line.includes('joined consumer group')) continue;
      let entry: { groupId?: string; isLeader?: boolean };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (!entry.groupId) continue;
      group = entry.groupId;
      const r = (out[group] ??= { generations: 0, joins: 0, bound: 2 * infraRestarts });
      r.joins += 1;
      if (entry.isLeader) r.generations += 1;
    }
    if (group) out[group]!.bound += s.starts + s.kills + s.unexpectedExits.length + 2 * s.pauses;
  }
  return out;
}
