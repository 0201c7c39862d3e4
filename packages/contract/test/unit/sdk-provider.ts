// What a provider writes with the official CloudEvents JavaScript SDK (`cloudevents` on npm, v10):
// the construction code of docs/providers.md, example (b), kept here so that the tests run it
// against the contract's parsers. Change the two together.
import { CloudEvent, HTTP, Kafka } from 'cloudevents';

export const TYPE_PREFIX = 'cn.gov.dongcheng.siliconalley.';

/**
 * The SDK lists every unset optional attribute as a header whose value is `undefined` (and
 * kafkajs throws on those): keep the headers that have a value, as strings.
 */
export function definedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}

/** A contract event. `time` as an RFC 3339 string: the SDK keeps a Date object as it is. */
export function contractEvent(shortType: string, source: string, id: string, uscc: string, time: string, data: object): CloudEvent<object> {
  return new CloudEvent<object>({
    specversion: '1.0',
    id,
    source,
    type: `${TYPE_PREFIX}${shortType}.v1`,
    time,
    subject: uscc,
    datacontenttype: 'application/json',
    data,
  });
}

/** Kafka, binary mode: for kafkajs `producer.send({ topic, messages: [message] })`. */
export function kafkaBinaryMessage(event: CloudEvent<object>) {
  const message = Kafka.binary(event);
  // The SDK leaves `data` as an object: the record value must be its JSON text.
  return { key: event.subject ?? null, value: JSON.stringify(message.value), headers: definedHeaders(message.headers) };
}

/** Kafka, structured mode: the whole event as the value, content-type application/cloudevents+json. */
export function kafkaStructuredMessage(event: CloudEvent<object>) {
  const message = Kafka.structured(event);
  return { key: event.subject ?? null, value: String(message.value), headers: definedHeaders(message.headers) };
}

/** HTTP, structured (`HTTP.structured`) or binary (`HTTP.binary`): for `fetch(url, { method: 'POST', headers, body })`. */
export function httpRequest(event: CloudEvent<object>, mode: 'structured' | 'binary', token: string) {
  const message = mode === 'structured' ? HTTP.structured(event) : HTTP.binary(event);
  return { headers: { ...definedHeaders(message.headers), authorization: `Bearer ${token}` }, body: String(message.body) };
}

/** HTTP, batch: the SDK has no batch emitter; a CloudEvent serialises itself (toJSON). */
export function httpBatchRequest(events: readonly CloudEvent<object>[], token: string) {
  return { headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${token}` }, body: JSON.stringify(events) };
}
