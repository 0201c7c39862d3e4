// CloudEvents HTTP protocol binding (events.md "Over HTTP"): structured, batch and binary modes.
// There is no topic over HTTP: the type decides it, and an accepted event says which.
import type { AcceptedEvent } from './events';
import { APPLICATION_JSON, CLOUDEVENTS_BATCH_JSON, CLOUDEVENTS_JSON, isUtf8, parseContentType } from './mediaTypes';
import { byteLengthOf, isJsonObject, notAnObject, parseJsonPayload } from './payload';
import { MAX_EVENT_BYTES, reject, tooLarge, type Rejection } from './rejections';
import { topicOfType, type SourceTopic } from './topics';
import { validateCloudEvent, type ContractContext } from './validate';

export interface HttpRequestIn {
  /** The Content-Type header as sent. */
  contentType: string | undefined;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

export type HttpContentMode = 'structured' | 'batch' | 'binary';

export interface HttpAcceptance {
  ok: true;
  event: AcceptedEvent;
  contentMode: HttpContentMode;
  /** The source topic the event belongs on. */
  topic: SourceTopic;
  /** The event in structured form (binary attributes folded in), as sent: ready to publish. */
  cloudEvent: Record<string, unknown>;
}

/** One result per event, in request order (a batch may hold several). */
export type HttpEventResult = HttpAcceptance | Rejection;

/** Binary-mode attribute headers: `ce-<attribute>`. */
const ATTRIBUTE_HEADER_PREFIX = 'ce-';

function check(cloudEvent: Record<string, unknown>, contentMode: HttpContentMode, ctx: ContractContext): HttpEventResult {
  const label = contentMode === 'binary' ? binaryLabel : (name: string) => name;
  const result = validateCloudEvent(cloudEvent, { ...ctx, attributeLabel: label });
  return result.ok ? { ...result, contentMode, topic: topicOfType(result.event.type), cloudEvent } : result;
}

/** Validates the events of one ingest request against the contract. */
export function parseHttpRequest(request: HttpRequestIn, ctx: ContractContext): HttpEventResult[] {
  const contentType = parseContentType(request.contentType);
  const mediaType = contentType?.mediaType;

  if (contentType && mediaType?.startsWith('application/cloudevents')) {
    if ((mediaType !== CLOUDEVENTS_JSON && mediaType !== CLOUDEVENTS_BATCH_JSON) || !isUtf8(contentType)) {
      return [
        reject(
          'malformed',
          `Content-Type ${JSON.stringify(request.contentType)} is not a supported event format: send ${CLOUDEVENTS_JSON} ` +
            `(one event), ${CLOUDEVENTS_BATCH_JSON} (a JSON array of events) or ${APPLICATION_JSON} with ce- headers (binary mode)`,
        ),
      ];
    }
    if (mediaType === CLOUDEVENTS_JSON) return [structured(request.body, ctx)];
    return batch(request.body, ctx);
  }

  const attributes = Object.entries(request.headers).filter(
    (entry): entry is [string, string] => entry[0].startsWith(ATTRIBUTE_HEADER_PREFIX) && entry[1] !== undefined,
  );
  if (attributes.length === 0) {
    return [
      reject(
        'malformed',
        `request is not a CloudEvent: Content-Type is ${JSON.stringify(request.contentType ?? null)} and there are no ce- headers: ` +
          `send ${CLOUDEVENTS_JSON}, ${CLOUDEVENTS_BATCH_JSON}, or ${APPLICATION_JSON} with ce- attribute headers`,
      ),
    ];
  }
  return [binary(request, attributes, ctx)];
}

function structured(body: Buffer, ctx: ContractContext): HttpEventResult {
  if (body.length > MAX_EVENT_BYTES) return tooLarge(body.length, 'request body');
  const json = parseJsonPayload(body, 'request body');
  if (!json.ok) return json;
  if (!isJsonObject(json.value)) return notAnObject('request body', json.value);
  return check(json.value, 'structured', ctx);
}

function batch(body: Buffer, ctx: ContractContext): HttpEventResult[] {
  const json = parseJsonPayload(body, 'request body');
  if (!json.ok) return [json];
  if (!Array.isArray(json.value)) {
    return [reject('malformed', `request body is not a JSON array: send a batch as a JSON array of CloudEvents`)];
  }
  return json.value.map((element: unknown, index): HttpEventResult => {
    const what = `batch event [${index}]`;
    // The limit is per event; a batch element's size is that of its JSON text.
    const bytes = byteLengthOf(JSON.stringify(element) ?? '');
    if (bytes > MAX_EVENT_BYTES) return tooLarge(bytes, what);
    if (!isJsonObject(element)) return notAnObject(what, element);
    return check(element, 'batch', ctx);
  });
}

function binary(request: HttpRequestIn, attributes: [string, string][], ctx: ContractContext): HttpEventResult {
  if (request.body.length > MAX_EVENT_BYTES) return tooLarge(request.body.length, 'request body (data)');
  const cloudEvent: Record<string, unknown> = {};
  for (const [name, raw] of attributes) {
    // The HTTP binding percent-encodes header values (e.g. non-ASCII characters).
    try {
      cloudEvent[name.slice(ATTRIBUTE_HEADER_PREFIX.length)] = decodeURIComponent(raw);
    } catch {
      return reject('malformed', `header ${name} is not validly percent-encoded: encode non-ASCII characters as UTF-8 %XX`);
    }
  }
  if (request.contentType !== undefined) cloudEvent.datacontenttype = request.contentType;
  if (request.body.length > 0) {
    const json = parseJsonPayload(request.body, 'request body (data)');
    if (!json.ok) return json;
    cloudEvent.data = json.value;
  }
  return check(cloudEvent, 'binary', ctx);
}

function binaryLabel(attribute: string): string {
  if (attribute === 'data') return 'request body (data)';
  if (attribute === 'datacontenttype') return 'header Content-Type';
  return `header ${ATTRIBUTE_HEADER_PREFIX}${attribute}`;
}
