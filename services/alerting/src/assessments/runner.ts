// Runs assessments: reads everything as of a closed period's last day (indicator, targets, tasks,
// the ingest ledgers' counts), and publishes a version when there is none yet or a number changed since the latest
// (a restatement, with the changes and the late events that caused them). Same data → same version.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  ASSESSMENT_METHOD,
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
import { ASSESSMENT_ACTION_ROWS, type IndicatorClient } from '@siliconalley/api';
import { chinaDateOf, monthEndsBetween } from '@siliconalley/contract';
import { HttpProblem } from '@siliconalley/http';
import { composeKpis, composeKpiValue, DEFAULT_ACTION_WINDOW_DAYS } from '@siliconalley/kpi-engine';
import type { Logger } from '@siliconalley/logger';
import type { TaskReport } from '@siliconalley/plan';
import type { Store } from '@siliconalley/store';
import type { TargetDefinition } from '@siliconalley/targets';
import { Evaluator, indicatorTaskReports, type TaskReportSource } from '../evaluate';
import { WhatIf } from '../what-if';
import { pendingScenarios } from './scenarios';

/** The target whose month-end path the report charts and whose share change it decomposes. */
export const HEADLINE_TARGET = 'T6_ZONE_SHARE';

/** The headline target among the definitions, when it is there as a zone-share target. */
export const headlineTargetOf = (definitions: readonly TargetDefinition[]): TargetDefinition | undefined =>
  definitions.find((t) => t.id === HEADLINE_TARGET && t.kpi === 'zone_share');
const LEASE = 'assessments';
/** Examples of event ids listed per restatement cause. */
const CAUSE_EXAMPLES = 5;

/** What assessments ask the indicator: KPI counts, the firm turnover behind them, tasks, data quality and changes. */
export type AssessmentIndicators = Pick<
  IndicatorClient,
  'counts' | 'turnover' | 'taskReports' | 'applied' | 'changesSince' | 'certificatesWithoutFirm' | 'actions' | 'whatIf'
>;

export interface RunnerDeps {
  store: Store;
  indicators: AssessmentIndicators;
  definitions: () => Promise<readonly TargetDefinition[]>;
  logger: Logger;
  now?: () => Date;
  leaseTtlMs?: number;
  /** Entries kept of each action list (default ASSESSMENT_ACTION_ROWS), with the whole lists' lengths. */
  actionRows?: number;
}

/** What one batch of runs reads once: the same data state for every period of the batch. */
interface Snapshot {
  cutoff: DataCutoff;
  evaluator: Evaluator;
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
  private readonly actionRows: number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Runs queued or running here: an operator's run is refused rather than kept waiting behind them. */
  private inFlight = 0;

  constructor(private readonly deps: RunnerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.leaseTtlMs = deps.leaseTtlMs ?? 120_000;
    this.actionRows = deps.actionRows ?? ASSESSMENT_ACTION_ROWS;
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
    const run = this.queue
      .then(async () => {
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
      })
      .finally(() => this.inFlight--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no run is queued or running (graceful shutdown). */
  idle(): Promise<unknown> {
    return this.queue;
  }

  /**
   * Reads the data cut-off first: the numbers read after it include at least what it names. Counts
   * come from the ingest ledgers and the indicator's applied offsets: O(partitions), whatever the history.
   */
  async snapshot(): Promise<Snapshot> {
    const [totals, acceptedOffsets] = await Promise.all([this.deps.store.ledgers.totals(), this.acceptedOffsets()]);
    // Sources are provider strings: defined as own properties, so a source named `__proto__` is a key, not a prototype.
    const rejectedByProvider: Record<string, Record<string, number>> = {};
    for (const [source, byReason] of Object.entries(totals.rejectedByProvider))
      Object.defineProperty(rejectedByProvider, source, { value: { ...byReason }, enumerable: true });
    const cutoff: DataCutoff = {
      storedEvents: totals.accepted,
      receivedUpTo: totals.newestReceivedAt?.toISOString() ?? null,
      acceptedOffsets,
      pipeline: { accepted: totals.accepted, duplicates: totals.duplicates, rejected: { ...totals.rejected }, rejectedByProvider },
    };
    // Task reports are read once per batch, not once per period and question.
    let reports: Promise<TaskReport[]> | null = null;
    const source = indicatorTaskReports(this.deps.indicators);
    const memo: TaskReportSource = { reports: () => (reports ??= source.reports()) };
    return { cutoff, evaluator: new Evaluator(this.deps.indicators, memo, this.deps.definitions, this.now) };
  }

  /** How far the indicator has applied the accepted topic, per partition: what the KPIs include. */
  async acceptedOffsets(): Promise<Record<string, string>> {
    return (await this.deps.indicators.applied()).offsets;
  }

  /** Everything as of the period's last day. */
  async compute(period: Period, snap: Snapshot): Promise<AssessmentBody> {
    const asOf = period.end;
    const { evaluator } = snap;
    const definitions = await evaluator.targetDefinitions();
    const headline = headlineTargetOf(definitions);
    const pathDates = headline ? monthEndsBetween(headline.baselineDate, asOf) : [];
    const [{ zoneIds, byDate }, targets, tasks, departments, withoutFirm] = await Promise.all([
      this.deps.indicators.counts([asOf, ...pathDates]),
      evaluator.targets(asOf),
      evaluator.tasksOn(asOf),
      evaluator.departments(asOf),
      this.deps.indicators.certificatesWithoutFirm([asOf]),
    ]);
    const kpis = composeKpis(zoneIds, byDate.get(asOf)!);
    const decomposition = headline ? await evaluator.decomposition(headline.id, previousPeriod(period).end, asOf) : null;
    const whatIf = new WhatIf({ indicators: this.deps.indicators, definitions: definitions, now: this.now });
    // The first entries of each list and the whole lengths: a version is one stored document (16 MiB
    // at most), and a city's relocation candidates alone run to ~10^5 firms.
    const actions = headline ? await whatIf.actions(headline.id, asOf, DEFAULT_ACTION_WINDOW_DAYS, this.actionRows) : null;
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
        ? {
            target: headline.id,
            points: pathDates.map((d) => ({ asOf: d, value: composeKpiValue({ id: 'zone_share', scope: headline.scope } as never, byDate.get(d)!) })),
          }
        : null,
      tasks,
      departments,
      decomposition,
      dataQuality: { unlocatedFirms: unlocated?.value ?? null, certificatesWithoutKnownFirm: withoutFirm[asOf] ?? 0 },
      cutoff: snap.cutoff,
      actions: actions && {
        target: actions.target,
        zone: actions.zone,
        within: actions.within,
        renewalsDue: actions.renewalsDue,
        relocationCandidates: actions.relocationCandidates,
        nextTier: actions.nextTier,
        lengths: actions.lengths,
      },
      whatIf: headline && actions && asOf <= headline.due ? await pendingScenarios(whatIf, headline, asOf, actions, this.now()) : null,
    };
  }

  /**
   * Late events behind a restatement: applied by the indicator after the previous version's cut-off
   * (its accepted-topic offsets), effective in the period, by type and provider. The indicator keeps
   * them in blocks of offsets, so events just before the cut-off may be listed too, never fewer.
   */
  async causes(previousOffsets: Readonly<Record<string, string>>, periodEnd: string): Promise<RestatementCause[]> {
    const changes = await this.deps.indicators.changesSince(previousOffsets);
    const lastMonth = periodEnd.slice(0, 7);
    const groups = new Map<string, RestatementCause>();
    for (const c of changes.groups) {
      if (c.month > lastMonth) continue;
      const key = `${c.type}\u0000${c.source}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { type: c.type, source: c.source, events: 0, examples: [] }));
      g.events += c.events;
      for (const id of c.examples) if (g.examples.length < CAUSE_EXAMPLES) g.examples.push(id);
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
      restatement = { previousVersion: previous.version, changes, causes: await this.causes(previous.cutoff.acceptedOffsets ?? {}, period.end) };
    }
    const assessment: Assessment = {
      ...body,
      version: (previous?.version ?? 0) + 1,
      publishedAt: this.now().toISOString(),
      statusSummary: statusSummary(body.targets),
      restatement,
    };
    const won = await assessments.publish(
      {
        period: period.id,
        kind: period.kind,
        version: assessment.version,
        asOf: period.end,
        publishedAt: new Date(assessment.publishedAt),
        body: assessment as unknown as Record<string, unknown>,
      },
      {
        statusSummary: assessment.statusSummary as Record<string, number>,
        receivedUpTo: assessment.cutoff.receivedUpTo,
        acceptedOffsets: assessment.cutoff.acceptedOffsets,
      },
    );
    if (!won) {
      // Another writer published this version first: theirs stands.
      const theirs = await assessments.latest(period.id);
      return { assessment: theirs!.body as unknown as Assessment, published: false };
    }
    this.deps.logger.info(
      { period: period.id, version: assessment.version, changes: restatement?.changes.length ?? 0 },
      restatement ? 'assessment restated' : 'assessment published',
    );
    return { assessment, published: true };
  }

  /** POST /assessments/{period}/run: assess now (a clear 400 for a malformed, early or open period). */
  async run(periodId: string): Promise<RunOutcome> {
    const period = closedPeriod(periodId, this.today());
    // A catch-up or restatement can take minutes: answer at once instead of holding the request.
    if (this.inFlight > 0)
      throw new HttpProblem(409, 'assessments are running on this instance (scheduled, catch-up or restatement); retry shortly', {}, { 'Retry-After': '10' });
    return this.exclusive(async () => this.assessWith(period, await this.snapshot()));
  }
}
