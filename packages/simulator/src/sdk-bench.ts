#!/usr/bin/env node
// `node packages/simulator/dist/sdk-bench.js [events]`: how long the simulator's own encoding
// (records.ts, the hot path) and the CloudEvents SDK (sdk.ts, the way providers build records) take
// to turn the same valid simulated events (default 100,000; 30% binary mode) into Kafka records.
// Medians of 7 rounds after a warm-up; the figures decide which one the simulator publishes with
// (publish.ts).
import { CloudEvent, Kafka } from 'cloudevents';
import { fullType, shortTypeOf } from '@siliconalley/contract';
import { encode, type ContentMode, type SimEvent } from './records';
import { sdkRecord } from './sdk';
import { simulate } from './simulate';

function validEvents(count: number): SimEvent[] {
  const events: SimEvent[] = [];
  for (const r of simulate({ firms: Math.ceil(count / 2), from: '2015-01-01', to: '2026-06-30', seed: 3 })) {
    if (r.intended !== 'accepted') continue;
    const binary = r.headers['content-type'] === 'application/json';
    const e = binary ? { ...r.headers, data: JSON.parse(r.value) as unknown } : (JSON.parse(r.value) as Record<string, unknown>);
    const get = (name: string) => String(binary ? e[`ce_${name}`] : e[name]);
    events.push({
      id: get('id'),
      source: get('source'),
      type: shortTypeOf(get('type'))!,
      time: get('time'),
      subject: get('subject'),
      data: e.data as Record<string, unknown>,
    });
    if (events.length === count) break;
  }
  return events;
}

/** The SDK without its validation (CloudEvent's `strict` off): what the emitters alone cost. */
function sdkUnvalidated(event: SimEvent, mode: ContentMode): string {
  const ce = new CloudEvent({ ...event, type: fullType(event.type), specversion: '1.0', datacontenttype: 'application/json' }, false);
  const message = mode === 'structured' ? Kafka.structured(ce) : Kafka.binary(ce);
  return typeof message.value === 'string' ? message.value : JSON.stringify(message.value);
}

function main(): void {
  const count = Number(process.argv[2] ?? 100_000);
  const events = validEvents(count);
  const mode = (i: number): ContentMode => (i % 10 < 3 ? 'binary' : 'structured');
  const ways: Record<string, (e: SimEvent, i: number) => unknown> = {
    'records.ts (hot path)': (e, i) => encode(e, mode(i)),
    'SDK, validated (sdk.ts)': (e, i) => sdkRecord(e, mode(i)),
    'SDK, strict off': (e, i) => sdkUnvalidated(e, mode(i)),
  };
  const times = new Map<string, number[]>();
  for (const way of Object.values(ways)) for (let i = 0; i < Math.min(20_000, events.length); i++) way(events[i]!, i);
  for (let round = 0; round < 7; round++) {
    for (const [name, way] of Object.entries(ways)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < events.length; i++) way(events[i]!, i);
      times.set(name, [...(times.get(name) ?? []), Number(process.hrtime.bigint() - start) / 1e6]);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(times.get('records.ts (hot path)')!);
  process.stdout.write(`${events.length} events\n`);
  for (const [name, xs] of times) {
    const ms = median(xs);
    process.stdout.write(
      `${name.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(events.length / ms)
        .toString()
        .padStart(4)}k events/s  ×${(ms / base).toFixed(2)}\n`,
    );
  }
}

main();
