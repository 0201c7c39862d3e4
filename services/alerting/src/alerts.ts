// Flag changes leave the service two ways: a CloudEvent on the alert topic (durable, for any
// consumer) and, when configured, a Grafana annotation (best effort, retried with backoff in the
// background: an unreachable Grafana never blocks an evaluation).
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@siliconalley/contract';
import type { KafkaClient } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import type { FlagChange, TargetJudgement, TaskFlagReason } from '@siliconalley/targets';
import type { TaskEntry } from './evaluate';

export const ALERT_EVENT_TYPE = 'siliconalley.alert.target.flag.v1';
/** Plan tasks that become overdue or blocked, and recover (kpis.md "Plan tasks"). */
export const TASK_ALERT_EVENT_TYPE = 'siliconalley.alert.task.flag.v1';
export const ALERT_SOURCE = '/siliconalley/alerting';

export interface FlagChangeEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  data: {
    target: string;
    change: Exclude<FlagChange, null>;
    flagged: boolean;
    asOf: string;
    status: TargetJudgement['status'];
    method: string;
    actual: number | null;
    expected: number | null;
    ratio: number | null;
    gapToPath: number | null;
  };
}

export function flagChangeEvent(j: TargetJudgement, change: Exclude<FlagChange, null>, asOf: string, now = new Date()): FlagChangeEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: ALERT_SOURCE,
    type: ALERT_EVENT_TYPE,
    time: now.toISOString(),
    subject: `target/${j.id}`,
    datacontenttype: 'application/json',
    data: {
      target: j.id,
      change,
      flagged: change === 'raised',
      asOf,
      status: j.status,
      method: j.method,
      actual: j.actual,
      expected: j.expected,
      ratio: j.ratio,
      gapToPath: j.gapToPath,
    },
  };
}

export interface TaskFlagChangeEvent extends Omit<FlagChangeEvent, 'data'> {
  data: {
    task: number;
    name: string;
    lead: string[];
    change: Exclude<FlagChange, null>;
    flagged: boolean;
    /** Why it is flagged (raised), or null (cleared). */
    reason: TaskFlagReason | null;
    asOf: string;
    overdue: boolean;
    blocked: boolean;
    status: TaskEntry['status'];
    period: string | null;
    dueQuarter: string | null;
  };
}

export function taskFlagChangeEvent(t: TaskEntry, change: Exclude<FlagChange, null>, asOf: string, now = new Date()): TaskFlagChangeEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: ALERT_SOURCE,
    type: TASK_ALERT_EVENT_TYPE,
    time: now.toISOString(),
    subject: `task/${t.id}`,
    datacontenttype: 'application/json',
    data: {
      task: t.id,
      name: t.name,
      lead: [...t.lead],
      change,
      flagged: change === 'raised',
      reason: t.blocked ? 'blocked' : t.overdue ? 'overdue' : null,
      asOf,
      overdue: t.overdue,
      blocked: t.blocked,
      status: t.status,
      period: t.period,
      dueQuarter: t.dueQuarter,
    },
  };
}

export type AlertEvent = FlagChangeEvent | TaskFlagChangeEvent;

const isTaskEvent = (event: AlertEvent): event is TaskFlagChangeEvent => event.type === TASK_ALERT_EVENT_TYPE;

/** The Kafka key (and flag-store key) of an alert: the target id, or `task:<id>`. */
export const alertKey = (event: AlertEvent): string => (isTaskEvent(event) ? `task:${event.data.task}` : event.data.target);

/** Publishes a flag change as a structured-mode CloudEvent, keyed by target or task (order per key). */
export async function publishFlagChange(kafka: KafkaClient, event: AlertEvent): Promise<void> {
  await kafka.send(kafka.topic(TOPICS.alert), [
    { key: alertKey(event), value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' } },
  ]);
}

/** Grafana annotation body of an alert event. */
export function annotationOf(event: AlertEvent): { time: number; tags: string[]; text: string } {
  const time = Date.parse(event.time);
  if (isTaskEvent(event)) {
    const { data } = event;
    return {
      time,
      tags: ['siliconalley', 'task', `task-${data.task}`, data.change, ...(data.reason ? [data.reason] : []), ...data.lead],
      text: `Plan task ${data.task} (${data.name}) ${data.change === 'raised' ? `flagged: ${data.reason}` : 'flag cleared'} as of ${data.asOf} (status ${data.status ?? 'no report'}, report due for ${data.dueQuarter ?? '-'}; lead ${data.lead.join(', ')})`,
    };
  }
  const { data } = event;
  return {
    time,
    tags: ['siliconalley', 'target', data.target, data.change, ...(data.status ? [data.status] : [])],
    text: `${data.target} ${data.change === 'raised' ? 'flagged' : 'flag cleared'}: ${data.status ?? 'unknown'} as of ${data.asOf} (actual ${data.actual}, expected ${data.expected}, ratio ${data.ratio})`,
  };
}

export interface GrafanaOptions {
  url: string;
  token: string;
  logger: Logger;
  /** Attempts per annotation (first included). */
  attempts?: number;
  /** First backoff; doubles per retry. */
  backoffMs?: number;
  timeoutMs?: number;
}

/** Grafana HTTP API: POST /api/annotations { time, tags, text } with a service-account token. */
export class GrafanaAnnotations {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: GrafanaOptions) {}

  /** Queues an annotation and returns at once; failures are logged after the last retry. */
  annotate(event: AlertEvent): void {
    const p = this.send(event).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for queued annotations (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async send(event: AlertEvent): Promise<void> {
    const body = annotationOf(event);
    const key = alertKey(event);
    const attempts = this.opts.attempts ?? 5;
    let delay = this.opts.backoffMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.opts.url.replace(/\/+$/, '')}/api/annotations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.opts.token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10000),
        });
        if (res.ok) return;
        // 4xx other than 429 will not succeed on retry (bad token, bad request).
        if (res.status < 500 && res.status !== 429) {
          this.opts.logger.error({ status: res.status, alert: key }, 'grafana refused the annotation');
          return;
        }
        throw new Error(`grafana answered ${res.status}`);
      } catch (err) {
        if (attempt >= attempts) {
          this.opts.logger.warn({ err, alert: key, attempts }, 'grafana annotation not delivered');
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}
