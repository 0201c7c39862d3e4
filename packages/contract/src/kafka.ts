// CloudEvents Kafka protocol binding (events.md "On Kafka"): structured and binary content modes.
import { isUtf8 as isUtf8Bytes } from 'node:buffer';
import type { AcceptedEvent } from './events';
import { APPLICATION_JSON, CLOUDEVENTS_JSON, isUtf8, parseContentType } from './media-types';
import { byteLengthOf, isJsonObject, notAnObject, parseJsonPayload } from './payload';
import { MAX_EVENT_BYTES, reject, tooLarge, type Rejection } from './rejections';
import { validateCloudEvent, type ContractContext } from './validate';

/**
 * A header value as Kafka clients hand it over: kafkajs gives Buffers (an array when a name is
 * repeated: the last one counts), others strings. Bytes are read as UTF-8; null or undefined is no
 * header at all.
 */
export type KafkaHeaderValue = string | Buffer | null | undefined | readonly (string | Buffer)[];

export interface KafkaRecordIn {
  topic: string;
  /** = subject by convention; not checked (it only decides the partition). */
  key: string | null;
  headers: Readonly<Record<string, KafkaHeaderValue>>;
  value: Buffer | string | null;
}

export type KafkaContentMode = 'structured' | 'binary';

export type KafkaParseResult = { ok: true; event: AcceptedEvent; contentMode: KafkaContentMode } | Rejection;

/** Binary-mode attribute headers: `ce_<attribute>`. */
const ATTRIBUTE_HEADER_PREFIX = 'ce_';

/**
 * The attributes events.md requires. An empty header for one of them is what it always was: the
 * attribute is empty, and the record is `malformed` (the message names the header). An empty header
 * for any other attribute is treated as absent: an optional attribute the producer left unset
 * (`ce_dataschema`, an extension: the JavaScript SDK lists unset attributes as `undefined` headers,
 * which producers write as empty values or leave out), and `content-type`, which carries the
 * optional datacontenttype in binary mode. docs/providers.md tells providers so.
 */
const REQUIRED_ATTRIBUTES: ReadonlySet<string> = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject']);

export function headerText(value: KafkaHeaderValue): string | undefined {
  const last = lastHeaderValue(value);
  if (last === null || last === undefined) return undefined;
  // Bytes that are not UTF-8 are not decoded (that would alter them); parseKafkaRecord refuses them first.
  return typeof last === 'string' ? last : isUtf8Bytes(last) ? last.toString('utf8') : undefined;
}

const lastHeaderValue = (value: KafkaHeaderValue): string | Buffer | null | undefined =>
  value === null || value === undefined || typeof value === 'string' || Buffer.isBuffer(value) ? value : value[value.length - 1];

/** The first CloudEvents header (ce_*, content-type) whose value is bytes that are not UTF-8. */
function undecodableHeader(headers: Readonly<Record<string, KafkaHeaderValue>>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('ce_') && lower !== 'content-type') continue;
    const last = lastHeaderValue(value);
    if (Buffer.isBuffer(last) && !isUtf8Bytes(last)) return lower;
  }
  return null;
}

/** Header names compared case-insensitively: clients differ in how they spell `content-type`. */
function lowerCaseHeaders(headers: Readonly<Record<string, KafkaHeaderValue>>): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const text = headerText(value);
    if (text !== undefined) lowered.set(name.toLowerCase(), text);
  }
  return lowered;
}

/** An empty header that stands for an unset optional attribute: read as no header. */
const isUnsetOptional = (attribute: string, value: string) => value === '' && !REQUIRED_ATTRIBUTES.has(attribute);

/** Validates one Kafka record of a source topic against the contract. */
export function parseKafkaRecord(record: KafkaRecordIn, ctx: ContractContext): KafkaParseResult {
  const bytes = record.value === null ? 0 : byteLengthOf(record.value);
  if (bytes > MAX_EVENT_BYTES) return tooLarge(bytes, 'record value');

  const undecodable = undecodableHeader(record.headers);
  if (undecodable !== null) {
    return reject('malformed', `header ${undecodable} is not valid UTF-8: send CloudEvents attribute headers as UTF-8 text`);
  }
  const headers = lowerCaseHeaders(record.headers);
  if (headers.get('content-type') === '') headers.delete('content-type');
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

  const attributes = [...headers]
    .filter(([name]) => name.startsWith(ATTRIBUTE_HEADER_PREFIX))
    .map(([name, value]) => [name.slice(ATTRIBUTE_HEADER_PREFIX.length), value] as const);
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
    ...Object.fromEntries(attributes.filter(([attribute, value]) => !isUnsetOptional(attribute, value))),
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
