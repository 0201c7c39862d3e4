// Provider records for benches, generated lazily (a 10M-event log never sits in memory): the
// provider simulator when it is built (packages/simulator/dist), else the testkit's synthetic firm
// histories turned into structured-mode CloudEvents.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chinaDateOf, fullType, topicOfType, type FirmEvent } from '@siliconalley/contract';
import { repoRoot } from '@siliconalley/devstack';
import { syntheticFirmEvents } from '@siliconalley/testkit';

export interface ProviderRecord {
  /** Base (un-namespaced) source topic. */
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
}

export interface RecordOptions {
  /** Stop after this many records. */
  events: number;
  /**
   * `valid-firms`: only registrations and certificate grants that the contract accepts (throughput
   * of the accepting path); `log`: whole firm histories as providers send them (updates,
   * deregistrations, revocations, and the few dated after arrival, which are rejected).
   */
  mix: 'valid-firms' | 'log';
  /** When the records are taken to arrive: effective dates after the next day are future_dated. */
  arrival?: Date;
  seed?: number;
}

/** The generator actually used, for the results file. */
export function generatorName(): string {
  return simulatorEntry() ? '@siliconalley/simulator' : '@siliconalley/testkit syntheticFirmEvents';
}

function simulatorEntry(): string | null {
  const entry = join(repoRoot, 'packages', 'simulator', 'dist', 'index.js');
  return existsSync(entry) ? entry : null;
}

/** A structured-mode CloudEvent record, as a provider publishes it. */
export function cloudEventRecord(event: FirmEvent): ProviderRecord {
  const { type, effectiveDate: _derived, ...attributes } = event;
  const value = JSON.stringify({ specversion: '1.0', ...attributes, type: fullType(type), datacontenttype: 'application/json' });
  return { topic: topicOfType(type), key: event.subject, headers: { 'content-type': 'application/cloudevents+json' }, value };
}

export function* providerRecords(opts: RecordOptions): Generator<ProviderRecord> {
  const simulator = simulatorEntry();
  if (simulator) {
    yield* fromSimulator(simulator, opts);
    return;
  }
  const lastDay = chinaDateOf(opts.arrival ?? new Date());
  let produced = 0;
  for (let firm = 0; produced < opts.events; firm++) {
    for (const event of syntheticFirmEvents(firm, opts.seed ?? 1)) {
      if (
        opts.mix === 'valid-firms' &&
        (event.type === 'enterprise.updated' ||
          event.type === 'enterprise.deregistered' ||
          event.type === 'certification.revoked' ||
          event.effectiveDate > lastDay)
      ) {
        continue;
      }
      yield cloudEventRecord(event);
      if (++produced >= opts.events) return;
    }
  }
}

interface SimulatedRecord extends ProviderRecord {
  intended: string;
  reason: string | null;
}

/** The simulator's stream (its API as announced: simulate({firms, from, to, seed})), filtered for `valid-firms`. */
function* fromSimulator(entry: string, opts: RecordOptions): Generator<ProviderRecord> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { simulate } = require(entry) as { simulate: (o: { firms: number; from: string; to: string; seed: number }) => Iterable<SimulatedRecord> };
  let produced = 0;
  const to = chinaDateOf(opts.arrival ?? new Date());
  // One firm per wanted record: the stream is lazy and stops early, and a second round would repeat ids (duplicates).
  for (let firms = Math.max(1000, opts.events), round = 0; produced < opts.events; round++) {
    for (const r of simulate({ firms, from: '2024-01-01', to, seed: (opts.seed ?? 1) + round })) {
      if (opts.mix === 'valid-firms' && (r.intended !== 'accepted' || !/enterprise|certification/.test(r.topic))) continue;
      yield { topic: r.topic, key: r.key, headers: r.headers, value: typeof r.value === 'string' ? r.value : JSON.stringify(r.value) };
      if (++produced >= opts.events) return;
    }
  }
}
