// Runs assessments: reads everything as of a closed period's last day (indicator, targets, tasks,
// event store), and publishes a version when there is none yet or a number changed since the latest
// (a restatement, with the changes and the late events that caused them). Same data → same version.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  ASSESSMENT_METHOD,
  CERTIFICATE_FIRM_EVENT_TYPES,
  CertificatesWithoutFirm,
  KPI_METHOD,
  changedNumbers,
  closedPeriod,
  methodsChanged,
  previousPeriod,
  statusSummary,
  type Assessment,
  type AssessmentBody,
  type DataCutoff,
  type Period,
  type RestatementCause,
} from '@siliconalley/assessments';
import type { IndicatorClient } from '@siliconalley/api';
import { chinaDateOf, monthEndsBetween, TOPICS } from '@siliconalley/contract';
import { HttpProblem } from '@siliconalley/http';
import { CONSUMER_GROUPS, type KafkaClient } from '@siliconalley/kafka';
import { composeKpis, composeKpiValue } from '@siliconalley/kpi-engine';
import type { Logger } from '@siliconalley/logger';
import type { TaskReport } from '@siliconalley/plan';
import type { Store } from '@siliconalley/store';
import type { TargetDefinition } from '@siliconalley/targets';
import { Evaluator, storeTaskReports, type TaskReportSource } from '../evaluate';

/** The target whose month-end path the report charts and whose share change it decomposes. */
export const HEADLINE_TARGET = 'T6_ZONE_SHARE';
const LEASE = 'assessments';
/** Examples of event ids listed per restatement cause. */
const CAUSE_EXAMPLES = 5;

export interface RunnerDeps {
  store: Store;
  kafka: KafkaClient;
  indicators: Pick<IndicatorClient, 'counts' | 'explain'>;
  definitions: () => Promise<readonly TargetDefinition[]>;
  logger: Logger;
  now?: () => Date;
  leaseTtlMs?: number;
}

/** What one batch of runs reads once: the same data state for every period of the batch. */
interface Snapshot {
  cutoff: DataCutoff;
  evaluator: Evaluator;
  certificates: CertificatesWithoutFirm;
}

export interface RunOutcome {
  assessment: Assessment;
  /** True when this run published a new version. */
  published: boolean;
}

export class LeaseHeld extends HttpProblem {
  constructor() {
    super(409, 'another replica is running assessments right now; retry shortly', {}, { 'Retry-After': '10' });
  }
}

export class AssessmentRunner {
  /** This replica, for the lease. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly now: () => Date;
  private readonly leaseTtlMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Runs queued or running here: an operator's run is refused rather than kept waiting behind them. */
  private inFlight = 0;

  constructor(private readonly deps: RunnerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.leaseTtlMs = deps.leaseTtlMs ?? 120_000;
  }

  today(): string {
    return chinaDateOf(this.now());
  }

  /**
   * Runs `fn` alone: one at a time in this process (a queue) and in one replica at a time (the lease,
   * renewed by `renew` between periods). Throws LeaseHeld when another replica has it.
   */
  exclusive<T>(fn: (renew: () => Promise<void>) => Promise<T>): Promise<T> {
    this.inFlight++;
    const run = this.queue.then(async () => {
      const { leases } = this.deps.store;
      if (!(await leases.acquire(LEASE, this.holder, this.leaseTtlMs))) throw new LeaseHeld();
      const renew = async () => {
        if (!(await leases.acquire(LEASE, this.holder, this.leaseTtlMs))) throw new LeaseHeld();
      };
      try {
        return await fn(renew);
      } finally {
        await leases.release(LEASE, this.holder).catch(() => undefined);
      }
    }).finally(() => this.inFlight--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no run is queued or running (graceful shutdown). */
  idle(): Promise<unknown> {
    return this.queue;
  }

  /** Reads the data cut-off first: the numbers read after it include at least what it names. */
  async snapshot(): Promise<Snapshot> {
    const { store } = this.deps;
    const [storedEvents, receivedUpTo, acceptedOffsets, counts, rejectedByProvider] = await Promise.all([
      store.events.count(),
      store.events.newestReceivedAt(),
      this.acceptedOffsets(),
      store.dispositions.counts(),
      store.dispositions.rejectedByProvider(),
    ]);
    const cutoff: DataCutoff = {
      storedEvents,
      receivedUpTo: receivedUpTo?.toISOString() ?? null,
      acceptedOffsets,
      pipeline: { accepted: counts.accepted, duplicates: counts.duplicates, rejected: counts.rejected, rejectedByProvider },
    };
    // Task reports are read once per batch, not once per period and question.
    let reports: Promise<TaskReport[]> | null = null;
    const source = storeTaskReports(store);
    const memo: TaskReportSource = { reports: () => (reports ??= source.reports()) };
    const certificates = new CertificatesWithoutFirm();
    for await (const e of store.events.ofTypes(CERTIFICATE_FIRM_EVENT_TYPES)) certificates.add(e);
    return { cutoff, evaluator: new Evaluator(this.deps.indicators, memo, this.deps.definitions, this.now), certificates };
  }

  /** The indicator group's committed offsets on the accepted topic: what the KPIs had applied. */
  async acceptedOffsets(): Promise<Record<string, string>> {
    const { kafka } = this.deps;
    const topic = kafka.topic(TOPICS.accepted);
    const rows = await kafka.withAdmin((admin) => admin.fetchOffsets({ groupId: kafka.group(CONSUMER_GROUPS.indicator), topics: [topic] }));
    const out: Record<string, string> = {};
    for (const t of rows) for (const p of t.partitions) out[String(p.partition)] = p.offset;
    return out;
  }

  /** Everything as of the period's last day. */
  async compute(period: Period, snap: Snapshot): Promise<AssessmentBody> {
    const asOf = period.end;
    const { evaluator } = snap;
    const definitions = await evaluator.targetDefinitions();
    const headline = definitions.find((t) => t.id === HEADLINE_TARGET && t.kpi === 'zone_share');
    const pathDates = headline ? monthEndsBetween(headline.baselineDate, asOf) : [];
    const [{ zoneIds, byDate }, targets, tasks, departments] = await Promise.all([
      this.deps.indicators.counts([asOf, ...pathDates]),
      evaluator.targets(asOf),
      evaluator.tasksOn(asOf),
      evaluator.departments(asOf),
    ]);
    const kpis = composeKpis(zoneIds, byDate.get(asOf)!);
    const decomposition = headline ? await evaluator.decomposition(headline.id, previousPeriod(period).end, asOf) : null;
    const unlocated = kpis.find((k) => k.id === 'unlocated_firms' && k.scope === 'district');
    return {
      period: period.id,
      kind: period.kind,
      start: period.start,
      asOf,
      methods: { assessment: ASSESSMENT_METHOD, kpis: KPI_METHOD, targets: [...new Set(targets.map((t) => t.method))].sort() },
      kpis,
      targets,
      headlinePath: headline
        ? { target: headline.id, points: pathDates.map((d) => ({ asOf: d, value: composeKpiValue({ id: 'zone_share', scope: headline.scope } as never, byDate.get(d)!) })) }
        : null,
      tasks,
      departments,
      decomposition,
      dataQuality: { unlocatedFirms: unlocated?.value ?? null, certificatesWithoutKnownFirm: snap.certificates.countOn(asOf) },
      cutoff: snap.cutoff,
    };
  }

  /** Late events behind a restatement: received after the previous version's cut-off, effective in the period. */
  async causes(previousCutoff: string | null, periodEnd: string): Promise<RestatementCause[]> {
    const groups = new Map<string, RestatementCause>();
    for await (const e of this.deps.store.events.receivedAfter(previousCutoff ? new Date(previousCutoff) : null)) {
      if (e.effectiveDate > periodEnd) continue;
      const key = `${e.type}\u0000${e.source}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { type: e.type, source: e.source, events: 0, examples: [] }));
      g.events++;
      if (g.examples.length < CAUSE_EXAMPLES) g.examples.push(e.id);
    }
    return [...groups.values()].sort((a, b) => a.type.localeCompare(b.type) || a.source.localeCompare(b.source));
  }

  /** Assesses one period with a snapshot: publishes v1, or v(n+1) when a number changed, or nothing. */
  async assessWith(period: Period, snap: Snapshot): Promise<RunOutcome> {
    const { assessments } = this.deps.store;
    const body = await this.compute(period, snap);
    const latest = await assessments.latest(period.id);
    const previous = latest?.body as Assessment | undefined;
    let restatement: Assessment['restatement'] = null;
    if (previous) {
      const changes = changedNumbers(previous, body);
      if (changes.length === 0 && !methodsChanged(previous, body)) return { assessment: previous, published: false };
      restatement = { previousVersion: previous.version, changes, causes: await this.causes(previous.cutoff.receivedUpTo, period.end) };
    }
    const assessment: Assessment = {
      ...body,
      version: (previous?.version ?? 0) + 1,
      publishedAt: this.now().toISOString(),
      statusSummary: statusSummary(body.targets),
      restatement,
    };
    const won = await assessments.publish({
      period: period.id,
      kind: period.kind,
      version: assessment.version,
      asOf: period.end,
      publishedAt: new Date(assessment.publishedAt),
      body: assessment as unknown as Record<string, unknown>,
    }, { statusSummary: assessment.statusSummary as Record<string, number>, receivedUpTo: assessment.cutoff.receivedUpTo });
    if (!won) {
      // Another writer published this version first: theirs stands.
      const theirs = await assessments.latest(period.id);
      return { assessment: theirs!.body as unknown as Assessment, published: false };
    }
    this.deps.logger.info({ period: period.id, version: assessment.version, changes: restatement?.changes.length ?? 0 }, restatement ? 'assessment restated' : 'assessment published');
    return { assessment, published: true };
  }

  /** POST /assessments/{period}/run: assess now (a clear 400 for a malformed, early or open period). */
  async run(periodId: string): Promise<RunOutcome> {
    const period = closedPeriod(periodId, this.today());
    // A catch-up or restatement can take minutes: answer at once instead of holding the request.
    if (this.inFlight > 0) throw new HttpProblem(409, 'assessments are running on this instance (scheduled, catch-up or restatement); retry shortly', {}, { 'Retry-After': '10' });
    return this.exclusive(async () => this.assessWith(period, await this.snapshot()));
  }
}
