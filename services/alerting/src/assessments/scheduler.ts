// When assessments run: node-cron in China time on the 1st (monthly, quarterly, annual), catch-up at
// start of every period missed while down (from the persisted cursor), and restatement: whenever the
// indicator has applied new events, the published periods those events fall in are assessed again.
// Every check reads maintained state only: the indicator's applied offsets and the changes it applied
// since an offset, the broker's partition ends, the ingest ledgers and the assessment heads.
import cron, { type ScheduledTask } from 'node-cron';
import { PERIOD_KINDS, parsePeriod, periodsDue, type PeriodKind } from '@siliconalley/assessments';
import type { KafkaClient } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import type { Store } from '@siliconalley/store';
import { indicatorBehind, readPipelineProgress, unsettledRecords } from '../catch-up';
import { LeaseHeld, type AssessmentIndicators, type AssessmentRunner } from './runner';

export const ASSESSMENT_TIMEZONE = 'Asia/Shanghai';

/** Minutes after midnight on the 1st, staggered so that the three never start together. */
export const ASSESSMENT_SCHEDULES: Record<PeriodKind, string> = {
  month: '5 0 1 * *',
  quarter: '10 0 1 1,4,7,10 *',
  year: '15 0 1 1 *',
};

/** A scheduled run is not deferred longer than this by a busy pipeline (restatement follows). */
const MAX_DEFERRAL_MS = 3_600_000;

export interface SchedulerDeps {
  runner: AssessmentRunner;
  store: Store;
  kafka: KafkaClient;
  indicators: Pick<AssessmentIndicators, 'applied' | 'changesSince'>;
  logger: Logger;
  /** Seconds between restatement checks (and retries of a failed or deferred catch-up). */
  checkSeconds: number;
  /**
   * Scheduled runs wait until no event has arrived for this long and the indicator has no lag, so
   * that a backfill in progress is not published half-way (up to MAX_DEFERRAL_MS, then they run).
   */
  quietSeconds: number;
  onRun?: (kind: string, outcome: 'published' | 'unchanged' | 'error') => void;
  /** Whether periods remain to be assessed: true from the start until a catch-up completes. */
  onCatchUpPending?: (pending: boolean) => void;
}

export class AssessmentScheduler {
  private tasks: ScheduledTask[] = [];
  private timer: NodeJS.Timeout | null = null;
  private catchUpPending = true;
  /** The indicator's applied offsets at the last completed restatement check (null: none yet). */
  private checkedOffsets: Record<string, string> | null = null;
  private ticking: Promise<void> | null = null;
  private deferredSince: number | null = null;

  constructor(private readonly deps: SchedulerDeps) {
    deps.onCatchUpPending?.(true);
  }

  /** Periods remain to be assessed (or a failed catch-up waits for its retry); the gauge follows it. */
  private setCatchUpPending(pending: boolean): void {
    this.catchUpPending = pending;
    this.deps.onCatchUpPending?.(pending);
  }

  start(): void {
    for (const kind of PERIOD_KINDS) {
      this.tasks.push(
        cron.schedule(ASSESSMENT_SCHEDULES[kind], () => void this.catchUp([kind]).catch(() => this.setCatchUpPending(true)), {
          timezone: ASSESSMENT_TIMEZONE,
          name: `assess-${kind}`,
          noOverlap: true,
        }),
      );
    }
    this.timer = setInterval(() => void this.tick(), this.deps.checkSeconds * 1000);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.tasks = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.deps.runner.idle();
  }

  /** One check now: a pending catch-up, then restatement. Never throws (logged, retried next tick). */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        if (this.catchUpPending) await this.catchUp(PERIOD_KINDS);
        await this.checkRestatements();
      } catch (err) {
        if (err instanceof LeaseHeld) this.deps.logger.debug('assessments: another replica holds the lease');
        else this.deps.logger.warn({ err }, 'assessment check failed; retrying at the next check');
      }
    })().finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** Assesses every closed period after each kind's persisted cursor, oldest first, then moves the cursor. */
  async catchUp(kinds: readonly PeriodKind[]): Promise<number> {
    const { runner, store } = this.deps;
    const today = runner.today();
    let runs = 0;
    const why = await this.unsettled();
    if (why) {
      // Wall-clock time: deferral is about the pipeline, not the assessed dates.
      this.deferredSince ??= Date.now();
      if (Date.now() - this.deferredSince < MAX_DEFERRAL_MS) {
        this.setCatchUpPending(true);
        this.deps.logger.info({ why }, 'assessments deferred until the pipeline settles');
        return 0;
      }
    }
    this.deferredSince = null;
    try {
      await runner.exclusive(async (renew) => {
        let snap: Awaited<ReturnType<AssessmentRunner['snapshot']>> | null = null;
        for (const kind of kinds) {
          const due = periodsDue(kind, await store.assessments.lastCompleted(kind), today);
          for (const period of due) {
            snap ??= await runner.snapshot();
            const outcome = await runner.assessWith(period, snap);
            this.deps.onRun?.(period.kind, outcome.published ? 'published' : 'unchanged');
            await store.assessments.setLastCompleted(kind, period.id);
            await renew();
            runs++;
          }
        }
      });
      this.setCatchUpPending(false);
      if (runs > 0) this.deps.logger.info({ runs }, 'assessments caught up');
      return runs;
    } catch (err) {
      this.setCatchUpPending(true);
      this.deps.onRun?.('catch-up', 'error');
      throw err;
    }
  }

  /** How far the indicator has applied the accepted topic, and how much it has still to apply. */
  private async indicatorProgress(): Promise<{ offsets: Record<string, string>; ready: boolean; behind: number }> {
    const p = await readPipelineProgress(this.deps);
    return { offsets: { ...p.applied }, ready: p.indicatorReady, behind: indicatorBehind(p) };
  }

  /**
   * Why scheduled runs should wait (null: go): no data at all, records not yet settled by ingestion
   * (a backlog: the newest arrival it settled can be old while much is still queued), indicator
   * lag, events still arriving.
   */
  private async unsettled(): Promise<string | null> {
    const progress = await readPipelineProgress(this.deps);
    const unsettled = unsettledRecords(progress);
    if (unsettled > 0) return `ingestion has ${unsettled} records to settle`;
    if (!progress.indicatorReady) return 'the indicator is replaying its partitions';
    const behind = indicatorBehind(progress);
    if (behind > 0) return `the indicator has ${behind} accepted events to apply`;
    const newest = progress.newestReceivedAt;
    if (!newest) return 'the event store is empty: nothing to assess yet';
    const quietMs = this.deps.quietSeconds * 1000;
    if (Date.now() - newest.getTime() < quietMs) return `events arrived in the last ${this.deps.quietSeconds} s`;
    return null;
  }

  /**
   * After the indicator has applied new accepted events (its applied offsets moved and it has no
   * lag), every published period that an event applied since that period's cut-off takes effect in
   * (effective date ≤ the period's last day) is assessed again; a changed number publishes a
   * restated version. Since the last check in this process, only what was applied after that check
   * is looked at; at start, what was applied after each version's own cut-off.
   */
  async checkRestatements(): Promise<number> {
    const { runner, store, indicators } = this.deps;
    const progress = await this.indicatorProgress();
    if (this.checkedOffsets && sameOffsets(progress.offsets, this.checkedOffsets)) return 0;
    if (!progress.ready || progress.behind > 0) return 0; // still applying: check when it has caught up
    const published = await store.assessments.cutoffs();
    let runs = 0;
    if (published.length > 0) {
      await runner.exclusive(async (renew) => {
        const changesSince = new Map<string, Promise<Awaited<ReturnType<typeof indicators.changesSince>>>>();
        const sinceOf = (p: (typeof published)[number]) => this.checkedOffsets ?? p.acceptedOffsets;
        const changesFor = (since: Record<string, string>) => {
          const key = JSON.stringify(since);
          let c = changesSince.get(key);
          if (!c) changesSince.set(key, (c = indicators.changesSince(since)));
          return c;
        };
        let snap: Awaited<ReturnType<AssessmentRunner['snapshot']>> | null = null;
        for (const p of published) {
          const period = parsePeriod(p.period);
          const { minEffectiveDate } = await changesFor(sinceOf(p));
          if (minEffectiveDate === null || minEffectiveDate > period.end) continue;
          snap ??= await runner.snapshot();
          const outcome = await runner.assessWith(period, snap);
          this.deps.onRun?.(period.kind, outcome.published ? 'published' : 'unchanged');
          if (outcome.published) runs++;
          await renew();
        }
      });
    }
    this.checkedOffsets = progress.offsets;
    if (runs > 0) this.deps.logger.info({ restated: runs }, 'assessments restated after late events');
    return runs;
  }
}

const sameOffsets = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};
