// CloudEvents Kafka protocol binding (events.md "On Kafka"): structured and binary content modes.
import type { AcceptedEvent } from './events';
import { APPLICATION_JSON, CLOUDEVENTS_JSON, isUtf8, parseContentType } from './mediaTypes';
import { byteLengthOf, isJsonObject, notAnObject, parseJsonPayload } from './payload';
import { MAX_EVENT_BYTES, reject, tooLarge, type Rejection } from './rejections';
import { validateCloudEvent, type ContractContext } from './validate';

export interface KafkaRecordIn {
  topic: string;
  /** = subject by convention; not checked (it only decides the partition). */
  key: string | null;
  headers: Readonly<Record<string, string | undefined>>;
  value: Buffer | string | null;
}

export type KafkaContentMode = 'structured' | 'binary';

export type KafkaParseResult = { ok: true; event: AcceptedEvent; contentMode: KafkaContentMode } | Rejection;

/** Binary-mode attribute headers: `ce_<attribute>`. */
const ATTRIBUTE_HEADER_PREFIX = 'ce_';

/** Header names compared case-insensitively: clients differ in how they spell `content-type`. */
function lowerCaseHeaders(headers: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lowered.set(name.toLowerCase(), value);
  return lowered;
}

/** Validates one Kafka record of a source topic against the contract. */
export function parseKafkaRecord(record: KafkaRecordIn, ctx: ContractContext): KafkaParseResult {
  const bytes = record.value === null ? 0 : byteLengthOf(record.value);
  if (bytes > MAX_EVENT_BYTES) return tooLarge(bytes, 'record value');

  const headers = lowerCaseHeaders(record.headers);
  const contentType = parseContentType(headers.get('content-type'));
  const options = { ...ctx, topic: record.topic };

  // The binding: a content-type of the application/cloudevents family means structured mode.
  if (contentType?.mediaType.startsWith('application/cloudevents')) {
    if (contentType.mediaType !== CLOUDEVENTS_JSON || !isUtf8(contentType)) {
      return reject(
        'malformed',
        `header content-type ${JSON.stringify(headers.get('content-type'))} is not a supported event format: ` +
          `send ${CLOUDEVENTS_JSON} with the whole event as the record value (structured mode), ` +
          `or ${APPLICATION_JSON} with ce_ headers (binary mode)`,
      );
    }
    if (record.value === null) return reject('malformed', 'record value is empty: send the whole CloudEvent as JSON');
    const json = parseJsonPayload(record.value, 'record value');
    if (!json.ok) return json;
    if (!isJsonObject(json.value)) return notAnObject('record value', json.value);
    const result = validateCloudEvent(json.value, { ...options, attributeLabel: (name) => name });
    return result.ok ? { ...result, contentMode: 'structured' } : result;
  }

  const attributes = [...headers].filter(([name]) => name.startsWith(ATTRIBUTE_HEADER_PREFIX));
  if (attributes.length === 0) {
    return reject(
      'malformed',
      'record is not a CloudEvent: it has neither header content-type application/cloudevents+json (structured mode) ' +
        'nor ce_ attribute headers (binary mode): send it in one of the two CloudEvents content modes',
    );
  }
  let data: unknown;
  if (record.value !== null && bytes > 0) {
    const json = parseJsonPayload(record.value, 'record value (data)');
    if (!json.ok) return json;
    data = json.value;
  }
  const candidate: Record<string, unknown> = {
    ...Object.fromEntries(attributes.map(([name, value]) => [name.slice(ATTRIBUTE_HEADER_PREFIX.length), value])),
    datacontenttype: headers.get('content-type'),
    data,
  };
  const result = validateCloudEvent(candidate, { ...options, attributeLabel: binaryLabel });
  return result.ok ? { ...result, contentMode: 'binary' } : result;
}

function binaryLabel(attribute: string): string {
  if (attribute === 'data') return 'record value (data)';
  if (attribute === 'datacontenttype') return 'header content-type';
  return `header ${ATTRIBUTE_HEADER_PREFIX}${attribute}`;
}
