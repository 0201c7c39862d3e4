// A simulated event as a provider builds it: the official CloudEvents SDK (`cloudevents` on npm),
// its CloudEvent class and Kafka emitters, exactly as docs/providers.md shows providers. The SDK
// leaves two things to the producer: its binary emitter lists every unset optional attribute as a
// header with the value `undefined` (kafkajs cannot write those: drop them), and it leaves `data`
// as an object (the record value must be bytes: JSON.stringify it).
//
// Not the hot path: records.ts writes the same records' JSON itself, several times faster (the
// figures are in publish.ts). This is the reference the hot path is checked against (test/unit/
// sdk.test.ts: every valid simulated record is the event the SDK would have sent).
import { CloudEvent, Kafka } from 'cloudevents';
import { topicOfType } from '@siliconalley/contract';
import { envelopeOf, type ContentMode, type Disposition, type SimEvent, type SimulatedRecord } from './records';

/** The SDK's CloudEvent of a simulated event (validated by the SDK: it throws on an invalid one). */
export function sdkEvent(event: SimEvent): CloudEvent<Record<string, unknown>> {
  return new CloudEvent<Record<string, unknown>>(envelopeOf(event) as never);
}

/** The headers a Kafka client can write: the SDK's, without the unset (undefined) attributes. */
export function definedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}

/** The Kafka record a provider using the SDK publishes for `event` (key = subject, as the contract asks). */
export function sdkRecord(event: SimEvent, mode: ContentMode, intended: Disposition = 'accepted'): SimulatedRecord {
  const message = mode === 'structured' ? Kafka.structured(sdkEvent(event)) : Kafka.binary(sdkEvent(event));
  const value = typeof message.value === 'string' ? message.value : JSON.stringify(message.value);
  return { topic: topicOfType(event.type), key: event.subject, headers: definedHeaders(message.headers), value, intended, reason: null };
}
