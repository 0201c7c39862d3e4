// Flag changes leave the service two ways: a CloudEvent on the alert topic (durable, for any
// consumer) and, when configured, a Grafana annotation (best effort, retried with backoff in the
// background: an unreachable Grafana never blocks an evaluation).
import { randomUUID } from 'node:crypto';
import { TOPICS } from '@siliconalley/contract';
import type { KafkaClient } from '@siliconalley/kafka';
import type { Logger } from '@siliconalley/logger';
import type { FlagChange, TargetJudgement } from '@siliconalley/targets';

export const ALERT_EVENT_TYPE = 'siliconalley.alert.target.flag.v1';
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

/** Publishes a flag change as a structured-mode CloudEvent, keyed by target (order per target). */
export async function publishFlagChange(kafka: KafkaClient, event: FlagChangeEvent): Promise<void> {
  await kafka.send(kafka.topic(TOPICS.alert), [
    { key: event.data.target, value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json; charset=UTF-8' } },
  ]);
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
  annotate(event: FlagChangeEvent): void {
    const p = this.send(event).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for queued annotations (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async send(event: FlagChangeEvent): Promise<void> {
    const { data } = event;
    const body = {
      time: Date.parse(event.time),
      tags: ['siliconalley', 'target', data.target, data.change, ...(data.status ? [data.status] : [])],
      text: `${data.target} ${data.change === 'raised' ? 'flagged' : 'flag cleared'}: ${data.status ?? 'unknown'} as of ${data.asOf} (actual ${data.actual}, expected ${data.expected}, ratio ${data.ratio})`,
    };
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
          this.opts.logger.error({ status: res.status, target: data.target }, 'grafana refused the annotation');
          return;
        }
        throw new Error(`grafana answered ${res.status}`);
      } catch (err) {
        if (attempt >= attempts) {
          this.opts.logger.warn({ err, target: data.target, attempts }, 'grafana annotation not delivered');
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}
