// When the alerting service may judge: only on data that is caught up to a known point. A judgement
// on half-applied data raises false flags (at every start the targets were judged before the
// indicator had applied the log: TASKS_COMPLETED lagging at 0, 34 tasks overdue) and pages people.
//
// The known point is the moment an evaluation starts: every record published to the source topics
// before it has been settled by ingestion (its ledgers), and every accepted event ingestion forwarded
// for them has been applied by the indicator (its /partial/applied offsets, with every instance
// ready). Each step is read from maintained state only (Kafka's partition ends, the ingest ledgers,
// the indicator's applied offsets): never the event store and never the indicator's consumer group.
// An earlier point would not do: the indicator answers from everything it has applied, so a point
// reached before a backlog arrived would let the backlog be judged half-way.
import { SOURCE_TOPICS, TOPICS } from '@siliconalley/contract';
import { offsetsBehind, type KafkaClient } from '@siliconalley/kafka';
import type { IndicatorClient } from '@siliconalley/api';
import type { Store } from '@siliconalley/store';

/** Partition (decimal) → offset (decimal): the next offset, as Kafka's ends and our ledgers keep them. */
export type PartitionOffsets = Readonly<Record<string, string>>;

/** One reading of the pipeline, in the order the fields were read (the order matters, see below). */
export interface PipelineProgress {
  /** Kafka's end offsets of every source topic (topic → partition → next offset), read first. */
  sourceEnds: Readonly<Record<string, PartitionOffsets>>;
  /** How far ingestion has settled each source partition (its ledgers), read after `sourceEnds`. */
  settled: Readonly<Record<string, PartitionOffsets>>;
  /** Kafka's end offsets of the accepted topic, read after `settled`. */
  acceptedEnds: PartitionOffsets;
  /** The indicator's applied offsets on the accepted topic. */
  applied: PartitionOffsets;
  /** Every indicator instance has replayed its partitions and every partition is held once. */
  indicatorReady: boolean;
  /** Newest arrival ingestion has settled (null: nothing stored yet). */
  newestReceivedAt: Date | null;
  /** When `sourceEnds` was read. */
  at: Date;
}

export type ProgressSources = {
  kafka: Pick<KafkaClient, 'topic' | 'partitionEnds'>;
  store: { ledgers: Pick<Store['ledgers'], 'totals'> };
  indicators: Pick<IndicatorClient, 'applied'>;
  now?: () => Date;
};

/**
 * Reads the pipeline's progress. Ingestion forwards an accepted event before it settles the source
 * record, so accepted ends read after `settled` include the forwards of everything settled; source
 * ends read before `settled` make "settled ≥ ends" mean "everything published before `at`".
 */
export async function readPipelineProgress({ kafka, store, indicators, now = () => new Date() }: ProgressSources): Promise<PipelineProgress> {
  const sourceTopics = SOURCE_TOPICS.map((t) => kafka.topic(t));
  const accepted = kafka.topic(TOPICS.accepted);
  const at = now();
  // The indicator's answer may be read at any time: applied offsets only grow while it is ready.
  const appliedP = indicators.applied();
  appliedP.catch(() => undefined);
  const sourceEnds = await kafka.partitionEnds(sourceTopics);
  const totals = await store.ledgers.totals();
  const acceptedEnds = (await kafka.partitionEnds([accepted]))[accepted] ?? {};
  const applied = await appliedP;
  const settled: Record<string, PartitionOffsets> = {};
  for (const t of sourceTopics) settled[t] = totals.byTopic[t]?.settled ?? {};
  return { sourceEnds, settled, acceptedEnds, applied: applied.offsets, indicatorReady: applied.ready, newestReceivedAt: totals.newestReceivedAt, at };
}

/** Records published but not yet settled by ingestion, over every source topic. */
export function unsettledRecords(p: Pick<PipelineProgress, 'sourceEnds' | 'settled'>): number {
  return Object.entries(p.sourceEnds).reduce((n, [topic, ends]) => n + offsetsBehind(ends, p.settled[topic] ?? {}), 0);
}

/** Accepted events the indicator has still to apply. */
export const indicatorBehind = (p: Pick<PipelineProgress, 'acceptedEnds' | 'applied'>): number => offsetsBehind(p.acceptedEnds, p.applied);

export interface CatchUpState {
  /** True when everything published to the sources before the mark is settled and applied. */
  ready: boolean;
  /** The mark: the time the sources' ends were read. */
  point: Date;
  /** Why not ready (null when ready). */
  waiting: string | null;
}

/**
 * One caught-up point, followed through the pipeline from readings (pure: the readings come in).
 * The mark is the sources' ends of the first reading. Once ingestion has settled them, the accepted
 * topic's ends of that reading become the indicator's part of the mark; once the indicator, ready,
 * has applied those, the data is caught up to the mark. That alone is not enough: the indicator
 * answers from everything it has applied, so records that arrived after the mark and are applied
 * only in part would be judged half-way (a log published just after an idle moment). So the reading
 * that reaches the mark must also show at most `toleranceRecords` records published but not yet
 * settled and applied — 0 by default: the judgement sees a pipeline with nothing in flight.
 */
export class CatchUpMark {
  private readonly sourceEnds: PartitionOffsets;
  private acceptedEnds: PartitionOffsets | null = null;
  /** The mark itself was reached, but the reading showed records in flight beyond it. */
  overtaken = false;
  readonly point: Date;

  constructor(
    first: Pick<PipelineProgress, 'sourceEnds' | 'at'>,
    private readonly toleranceRecords = 0,
  ) {
    this.sourceEnds = flatten(first.sourceEnds);
    this.point = first.at;
  }

  observe(p: PipelineProgress): CatchUpState {
    const point = this.point;
    if (!this.acceptedEnds && offsetsBehind(this.sourceEnds, flatten(p.settled)) === 0) this.acceptedEnds = p.acceptedEnds;
    if (p.newestReceivedAt === null) return { ready: false, point, waiting: 'no event has been stored yet: nothing to judge' };
    if (!p.indicatorReady) return { ready: false, point, waiting: 'the indicator is replaying its partitions (or an instance is unreachable)' };
    if (!this.acceptedEnds) return { ready: false, point, waiting: `ingestion has ${offsetsBehind(this.sourceEnds, flatten(p.settled))} records to settle` };
    const behind = offsetsBehind(this.acceptedEnds, p.applied);
    if (behind > 0) return { ready: false, point, waiting: `the indicator has ${behind} accepted events to apply` };
    const inFlight = unsettledRecords(p) + indicatorBehind(p);
    if (inFlight > this.toleranceRecords) {
      this.overtaken = true;
      return { ready: false, point, waiting: `${inFlight} records published since are not yet settled and applied` };
    }
    return { ready: true, point, waiting: null };
  }
}

/**
 * Waits until the pipeline has caught up to a mark taken now, reading its progress every `pollMs`,
 * for at most `maxWaitMs` (or until `stopping` says so). A mark that is reached while newer records
 * are in flight is replaced by one taken at that reading. Under a light flow this is reached within
 * the pipeline's latency; a backlog that takes longer than `maxWaitMs` to drain is not judged.
 */
export async function catchUpToNow(
  progress: () => Promise<PipelineProgress>,
  opts: { maxWaitMs: number; pollMs?: number; toleranceRecords?: number; stopping?: () => boolean },
): Promise<CatchUpState> {
  const first = await progress();
  let mark = new CatchUpMark(first, opts.toleranceRecords);
  let state = mark.observe(first);
  const deadline = first.at.getTime() + opts.maxWaitMs;
  while (!state.ready && Date.now() < deadline && !opts.stopping?.()) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    const p = await progress();
    if (mark.overtaken) mark = new CatchUpMark(p, opts.toleranceRecords);
    state = mark.observe(p);
  }
  return state;
}

/** Topic-qualified partitions ("topic/partition"), so that marks over several topics compare as one. */
function flatten(byTopic: Readonly<Record<string, PartitionOffsets>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [topic, offsets] of Object.entries(byTopic)) for (const [partition, offset] of Object.entries(offsets)) out[`${topic}/${partition}`] = offset;
  return out;
}
