// The simulator writes its records' JSON itself (records.ts: the hot path); providers build theirs
// with the CloudEvents SDK (src/sdk.ts, as docs/providers.md shows). Every valid simulated record is
// the event the SDK would have sent in the same content mode: the contract makes the same event of
// both, on the same topic and key.
import { parseKafkaRecord, shortTypeOf, type AcceptedEvent } from '@siliconalley/contract';
import { syntheticUscc } from '@siliconalley/testkit';
import { simulate, type SimulatedRecord } from '../../src';
import type { ContentMode, SimEvent } from '../../src/records';
import { sdkEvent, sdkRecord } from '../../src/sdk';

const receivedAt = new Date('2026-07-01T00:00:00+08:00');
const records = [...simulate({ firms: 600, from: '2015-01-01', to: '2026-06-30', seed: 8 })];

const modeOf = (r: SimulatedRecord): ContentMode => (r.headers['content-type'] === 'application/cloudevents+json' ? 'structured' : 'binary');

/** The simulated event behind a valid record. */
function simEventOf(r: SimulatedRecord): SimEvent {
  const e =
    modeOf(r) === 'structured'
      ? (JSON.parse(r.value) as Record<string, unknown>)
      : {
          id: r.headers.ce_id,
          source: r.headers.ce_source,
          type: r.headers.ce_type,
          time: r.headers.ce_time,
          subject: r.headers.ce_subject,
          data: JSON.parse(r.value) as unknown,
        };
  return {
    id: String(e.id),
    source: String(e.source),
    type: shortTypeOf(String(e.type))!,
    time: String(e.time),
    subject: String(e.subject),
    data: e.data as Record<string, unknown>,
  };
}

function accepted(r: SimulatedRecord): AcceptedEvent {
  const verdict = parseKafkaRecord({ topic: r.topic, key: r.key, headers: r.headers, value: r.value }, { receivedAt });
  if (!verdict.ok) throw new Error(`${verdict.reason}: ${verdict.message}`);
  return verdict.event;
}

/** The SDK writes `time` in UTC in structured mode: the same instant, spelt differently. */
const sameInstant = (e: AcceptedEvent) => ({ ...e, time: new Date(e.time).toISOString() });

describe('sdkRecord (the provider way) against the simulated records (the hot path)', () => {
  const valid = records.filter((r) => r.intended === 'accepted');

  it('gives every valid record as the same event, on the same topic and key, in both content modes', () => {
    expect(valid.length).toBeGreaterThan(1000);
    expect(new Set(valid.map(modeOf))).toEqual(new Set(['structured', 'binary']));
    const differences = valid.flatMap((r) => {
      const sdk = sdkRecord(simEventOf(r), modeOf(r));
      const same = sdk.topic === r.topic && sdk.key === r.key && JSON.stringify(sameInstant(accepted(sdk))) === JSON.stringify(sameInstant(accepted(r)));
      return same ? [] : [`${r.value.slice(0, 100)}`];
    });
    expect(differences).toEqual([]);
  });

  it('in binary mode writes the same value and ce_ headers (the SDK adds ce_datacontenttype)', () => {
    const binary = valid.filter((r) => modeOf(r) === 'binary').slice(0, 200);
    for (const r of binary) {
      const sdk = sdkRecord(simEventOf(r), 'binary');
      expect(sdk.value).toBe(r.value);
      expect(sdk.headers).toEqual({ ...r.headers, ce_datacontenttype: 'application/json' });
    }
  });

  it('is validated by the SDK: an event the SDK refuses throws rather than being published', () => {
    const event: SimEvent = {
      id: 'x-1',
      source: 'urn:dongcheng:samr',
      type: 'enterprise.deregistered',
      time: '2025-01-01T00:00:00Z',
      subject: '',
      data: { uscc: syntheticUscc(1) },
    };
    expect(() => sdkEvent(event)).toThrow();
  });
});
