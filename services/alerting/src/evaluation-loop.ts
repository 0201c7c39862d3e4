// One evaluation of targets and plan tasks for today: gauges, flags with hysteresis, alert events and
// Grafana annotations. It judges only caught-up data (catch-up.ts): until the pipeline has reached a
// caught-up point nothing is published, and the gauges keep their last caught-up values (or are
// absent before the first). Exactly one replica publishes flags (a lease): the others export the
// judgements but no flag series, so two replicas never page twice.
import type { Logger } from '@siliconalley/logger';
import { DEFAULT_FLAG_POLICY, nextFlag, nextTaskFlag, UNFLAGGED, type FlagPolicy, type FlagState } from '@siliconalley/targets';
import { flagChangeEvent, taskFlagChangeEvent, type AlertEvent } from './alerts';
import { catchUpToNow, type CatchUpState, type PipelineProgress } from './catch-up';
import type { Evaluator } from './evaluate';
import type { ActionListLengths } from '@siliconalley/kpi-engine';
import { recordActionLists, recordTargets, recordTasks, type AlertingMetrics } from './metrics';

/** Flag-store keys of plan-task flags (target ids cannot contain ':'). */
export const TASK_FLAG_PREFIX = 'task:';

/** The lease that makes one replica the publisher of flags. */
export const FLAGS_LEASE = 'alerting-flags';

/** Where flag states live between evaluations and replicas (the `alertflags` collection). */
export interface FlagStates {
  load(): Promise<Map<string, FlagState>>;
  save(states: ReadonlyMap<string, FlagState>): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
}

export interface FlagLease {
  /** Takes or renews the lease for `holder`; true when held. */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

export interface EvaluationDeps {
  evaluator: Pick<Evaluator, 'today' | 'targets' | 'tasksOn'>;
  progress: () => Promise<PipelineProgress>;
  /** How long an evaluation waits for the pipeline to catch up to its start before giving up. */
  catchUpWaitMs: number;
  /** Between readings of the progress while waiting. */
  catchUpPollMs?: number;
  /** Records in flight (published, not yet settled and applied) a judgement tolerates: 0 by default. */
  catchUpToleranceRecords?: number;
  flagStates: FlagStates;
  leases: FlagLease;
  /** This replica, for the lease. */
  holder: string;
  leaseTtlMs: number;
  /** The alert topic first (the record), then Grafana (best effort). */
  publish: (event: AlertEvent) => Promise<void>;
  annotate?: (event: AlertEvent) => void;
  metrics: AlertingMetrics;
  /** How many firms are on each of the headline target's action lists on a day (their gauges); null when there is none. */
  actionListLengths?: (asOf: string) => Promise<ActionListLengths | null>;
  logger: Logger;
  flagPolicy?: FlagPolicy;
  now?: () => Date;
}

export type EvaluationOutcome = 'ok' | 'waiting' | 'error';

export class EvaluationLoop {
  private stopping = false;
  private flags = new Map<string, FlagState>();
  private leader = false;
  private lastWaiting: string | null = null;
  private running: Promise<EvaluationOutcome> | null = null;
  private timer: { unref?: () => void } | null = null;
  private readonly now: () => Date;

  constructor(private readonly deps: EvaluationDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Flag states as this replica last published them (empty on a standby). */
  flagStates(): ReadonlyMap<string, FlagState> {
    return this.flags;
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** One evaluation; never throws (a failure is counted and retried at the next one). */
  async evaluate(): Promise<EvaluationOutcome> {
    const { metrics, logger } = this.deps;
    try {
      const caughtUp = await catchUpToNow(this.deps.progress, {
        maxWaitMs: this.deps.catchUpWaitMs,
        pollMs: this.deps.catchUpPollMs,
        toleranceRecords: this.deps.catchUpToleranceRecords,
        stopping: () => this.stopping,
      });
      this.recordCatchUp(caughtUp);
      if (!caughtUp.ready) {
        metrics.evaluations.inc({ outcome: 'waiting' });
        return 'waiting';
      }
      await this.judge();
      metrics.evaluations.inc({ outcome: 'ok' });
      metrics.lastEvaluation.set(this.now().getTime() / 1000);
      return 'ok';
    } catch (err) {
      // Not judged: the series keep their last caught-up values, and say that they are not current.
      metrics.evaluationReady.set(0);
      metrics.evaluations.inc({ outcome: 'error' });
      logger.warn({ err }, 'evaluation failed; retrying at the next interval');
      return 'error';
    }
  }

  /**
   * At shutdown: ends a wait for the pipeline, lets the evaluation in progress finish, then gives the
   * flags lease up, so that a standby takes over at once.
   */
  /**
   * Evaluates now and then every `intervalSeconds`; while an evaluation does not judge (the pipeline
   * has not caught up, or it failed), again after `retrySeconds` (at most the interval), so that the
   * first judgement follows the catch-up closely. One evaluation at a time.
   */
  start(opts: { intervalSeconds: number; retrySeconds: number; setTimer?: (fn: () => void, ms: number) => { unref?: () => void } }): void {
    const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    const tick = () => {
      if (this.stopping) return;
      void this.evaluateOnce().then((outcome) => {
        if (this.stopping) return;
        const seconds = outcome === 'ok' ? opts.intervalSeconds : Math.min(opts.retrySeconds, opts.intervalSeconds);
        this.timer = setTimer(tick, seconds * 1000);
        this.timer.unref?.();
      });
    };
    tick();
  }

  /** One evaluation, or the one already running (the scheduled loop and callers share it). */
  evaluateOnce(): Promise<EvaluationOutcome> {
    this.running ??= this.evaluate().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops scheduling; the evaluation in progress finishes; the flags lease is given up. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer as NodeJS.Timeout);
    await this.running?.catch(() => undefined);
    if (this.leader) await this.deps.leases.release(FLAGS_LEASE, this.deps.holder).catch(() => undefined);
    this.leader = false;
  }

  private recordCatchUp(s: CatchUpState): void {
    const { metrics, logger } = this.deps;
    metrics.evaluationReady.set(s.ready ? 1 : 0);
    if (s.ready) metrics.caughtUpPoint.set(s.point.getTime() / 1000);
    if (s.waiting !== this.lastWaiting) {
      if (s.waiting) logger.info({ waiting: s.waiting }, 'targets are not judged until the pipeline has caught up');
      else logger.info({ point: s.point }, 'pipeline caught up: judging targets');
      this.lastWaiting = s.waiting;
    }
  }

  private async judge(): Promise<void> {
    const { evaluator, metrics, logger, flagStates, leases } = this.deps;
    const wasLeader = this.leader;
    this.leader = await leases.acquire(FLAGS_LEASE, this.deps.holder, this.deps.leaseTtlMs);
    metrics.flagsLeader.set(this.leader ? 1 : 0);
    if (this.leader !== wasLeader)
      logger.info({ holder: this.deps.holder }, this.leader ? 'this replica publishes flags now' : 'another replica publishes flags');
    // A new leader starts from the flags as the previous one left them (hysteresis, raised flags).
    if (this.leader && !wasLeader) this.flags = await flagStates.load();
    if (!this.leader) this.flags = new Map();

    const asOf = evaluator.today();
    const [judgements, tasks, listLengths] = await Promise.all([
      evaluator.targets(asOf),
      evaluator.tasksOn(asOf),
      this.deps.actionListLengths?.(asOf) ?? Promise.resolve(undefined),
    ]);
    if (this.leader) {
      for (const j of judgements) {
        const { state, change } = nextFlag(this.flags.get(j.id) ?? UNFLAGGED, j, this.deps.flagPolicy ?? DEFAULT_FLAG_POLICY);
        if (change) {
          // The alert topic is the record: publish before remembering the new state, so a failed
          // publish is retried on the next evaluation.
          await this.announce(flagChangeEvent(j, change, asOf, this.now()));
          logger.warn({ target: j.id, change, status: j.status, ratio: j.ratio }, 'target flag changed');
        }
        this.flags.set(j.id, state);
      }
      // Plan tasks: flagged when overdue or blocked, cleared when neither (same store, key task:<id>).
      for (const t of tasks) {
        const key = `${TASK_FLAG_PREFIX}${t.id}`;
        const { state, change } = nextTaskFlag(this.flags.get(key) ?? UNFLAGGED, t);
        if (change) {
          await this.announce(taskFlagChangeEvent(t, change, asOf, this.now()));
          logger.warn({ task: t.id, change, overdue: t.overdue, blocked: t.blocked }, 'task flag changed');
        }
        this.flags.set(key, state);
      }
      // Targets deleted through the API: their flags go (no clearing event: the target is gone, and
      // its series disappear from /metrics, which resolves its alert in Prometheus).
      const judged = new Set(judgements.map((j) => j.id));
      const gone = [...this.flags.keys()].filter((id) => !id.startsWith(TASK_FLAG_PREFIX) && !judged.has(id));
      for (const id of gone) this.flags.delete(id);
      await flagStates.remove(gone);
      await flagStates.save(this.flags);
    }
    recordTargets(metrics, judgements, this.leader ? (id) => this.flags.get(id)?.flagged ?? false : null, this.now().getTime());
    recordTasks(metrics, tasks);
    if (listLengths !== undefined) recordActionLists(metrics, listLengths);
  }

  private async announce(event: AlertEvent): Promise<void> {
    await this.deps.publish(event);
    this.deps.annotate?.(event);
  }
}
