// CloudEvents HTTP protocol binding (events.md "Over HTTP"): structured, batch and binary modes.
// The one reading of an ingest request: the gateway takes from here what it checks (the provider's
// grants), what it answers (in HTTP's words: `header ce-subject`, `request body`) and the Kafka
// record it publishes for each event, which ingestion then judges the same way (parseKafkaRecord).
// There is no topic over HTTP: the type decides it.
import { APPLICATION_JSON, CLOUDEVENTS_BATCH_JSON, CLOUDEVENTS_JSON, isUtf8, parseContentType } from './media-types';
import { envelopeHints, jsonEnvelopeHints, type EnvelopeHints } from './hints';
import { isJsonObject, jsonDepthExceeds, jsonText, MAX_JSON_DEPTH, notAnObject, parseJsonPayload, parseJsonText, tooDeep, type JsonPayload } from './payload';
import { MAX_EVENT_BYTES, tooLarge } from './rejections';
import { topicOfType, type SourceTopic } from './topics';
import { validateCloudEvent, type ContractContext, type Validation } from './validate';
import { shortTypeOf, type ShortType } from './vocabulary';

export interface HttpRequestIn {
  /** The Content-Type header as sent. */
  contentType: string | undefined;
  /** Header names in lower case (as Node gives them). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export type HttpContentMode = 'structured' | 'batch' | 'binary';

/** The Kafka record an HTTP event is published as: what the provider would have sent to the topic. */
export interface HttpKafkaRecord {
  /** = subject when the event states one as a string (it only decides the partition). */
  key: string | null;
  /** Kafka header names (`ce_<attribute>`, `content-type`); null-prototype: the names are the provider's. */
  headers: Record<string, string>;
  value: Buffer;
}

/** What an event says of itself, read whether or not it is valid: for grant checks and answers. */
export interface HttpEventHints {
  id: string | null;
  source: string | null;
  /** The contract type it claims (null: none of the contract's, or none at all). */
  type: ShortType | null;
}

export interface HttpEvent {
  /** Position in the request (a batch may hold several). */
  index: number;
  /** The contract's verdict, worded for an HTTP client. */
  verdict: Validation;
  /** The topic of the type it claims, valid or not (ingestion dead-letters and counts it there); null: none. */
  topic: SourceTopic | null;
  hints: HttpEventHints;
  record: HttpKafkaRecord;
}

/** A request that is no CloudEvents request at all: nothing in it is an event to dead-letter. */
export interface HttpRequestProblem {
  ok: false;
  /** 415: no CloudEvents content mode; 400: a batch that is no JSON array of events, an undecodable ce- header. */
  status: 400 | 415;
  reason: 'malformed';
  message: string;
}

export type HttpRequestParse = { ok: true; contentMode: HttpContentMode; events: HttpEvent[] } | HttpRequestProblem;

/** Binary-mode attribute headers: `ce-<attribute>` over HTTP, `ce_<attribute>` on Kafka. */
const HTTP_PREFIX = 'ce-';
const KAFKA_PREFIX = 'ce_';

const headerRecord = (): Record<string, string> => Object.create(null) as Record<string, string>;

const problem = (status: 400 | 415, message: string): HttpRequestProblem => ({ ok: false, status, reason: 'malformed', message });

const unsupported = (contentType: string | undefined) =>
  problem(
    415,
    `send ${CLOUDEVENTS_JSON} (one event), ${CLOUDEVENTS_BATCH_JSON} (an array) or binary mode (ce-* headers with a JSON body); ` +
      `got ${contentType ?? 'no content type'}`,
  );

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The envelope's hints (hints.ts) with the type it claims as one of the contract's, for the grants. */
function httpHints({ id, source, type }: EnvelopeHints): HttpEventHints {
  return { id, source, type: type === null ? null : shortTypeOf(type) };
}

function event(index: number, verdict: Validation, hints: HttpEventHints, record: HttpKafkaRecord): HttpEvent {
  return { index, verdict, topic: hints.type === null ? null : topicOfType(hints.type), hints, record };
}

/** Reads the events of one ingest request and judges each against the contract. */
export function parseHttpRequest(request: HttpRequestIn, ctx: ContractContext): HttpRequestParse {
  // An empty header is an unset attribute, as on Kafka (kafka.ts): the same event judged the same way.
  if (request.contentType !== undefined && request.contentType.trim() === '') request = { ...request, contentType: undefined };
  const contentType = parseContentType(request.contentType);
  if (contentType?.mediaType.startsWith('application/cloudevents')) {
    if ((contentType.mediaType !== CLOUDEVENTS_JSON && contentType.mediaType !== CLOUDEVENTS_BATCH_JSON) || !isUtf8(contentType)) {
      return problem(
        415,
        `Content-Type ${JSON.stringify(request.contentType)} is not a supported event format: send ${CLOUDEVENTS_JSON} ` +
          `(one event), ${CLOUDEVENTS_BATCH_JSON} (a JSON array of events) or ${APPLICATION_JSON} with ce- headers (binary mode)`,
      );
    }
    if (contentType.mediaType === CLOUDEVENTS_JSON) return { ok: true, contentMode: 'structured', events: [structured(request, ctx)] };
    return batch(request.body, ctx);
  }
  return binary(request, ctx);
}

function check(candidate: Record<string, unknown>, ctx: ContractContext, attributeLabel: (name: string) => string): Validation {
  return validateCloudEvent(candidate, { ...ctx, attributeLabel });
}

const structuredLabel = (name: string) => name;

function structured(request: HttpRequestIn, ctx: ContractContext): HttpEvent {
  const what = 'request body';
  const { body } = request;
  // One parse serves the verdict and the hints; an event over the limit is still read for its type
  // and source (the provider's grants), within the request size the gateway takes.
  const text = jsonText(body, what);
  const json: JsonPayload = text.ok ? parseJsonText(text.text, what) : text;
  const hints = httpHints(jsonEnvelopeHints(json.ok ? json.value : undefined));
  const headers = headerRecord();
  headers['content-type'] = request.contentType ?? CLOUDEVENTS_JSON;
  const key = json.ok && isJsonObject(json.value) ? stringOrNull(json.value.subject) : null;
  let verdict: Validation;
  if (body.length > MAX_EVENT_BYTES) verdict = tooLarge(body.length, what);
  else if (!json.ok) verdict = json;
  else if (jsonDepthExceeds(json.value)) verdict = tooDeep(what);
  else if (!isJsonObject(json.value)) verdict = notAnObject(what, json.value);
  else verdict = check(json.value, ctx, structuredLabel);
  return event(0, verdict, hints, { key, headers, value: body });
}

function batch(body: Buffer, ctx: ContractContext): HttpRequestParse {
  const text = jsonText(body, 'the batch');
  if (!text.ok) return problem(400, 'the batch is not valid UTF-8: send a JSON array of CloudEvents encoded as UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.text);
  } catch (err) {
    return problem(400, `the batch is not valid JSON (${(err as Error).message}): send a JSON array of CloudEvents`);
  }
  if (!Array.isArray(parsed)) return problem(400, `a batch (${CLOUDEVENTS_BATCH_JSON}) must be a JSON array of CloudEvents`);
  if (parsed.length === 0) return problem(400, 'the batch is empty: send at least one CloudEvent');
  // Each event becomes a Kafka record of its own JSON text; re-serialising is recursive, so a batch
  // with an event nested deeper than the contract takes is refused as a whole, before any is read.
  const deep = parsed.findIndex((element) => jsonDepthExceeds(element, MAX_JSON_DEPTH));
  if (deep >= 0) return problem(400, tooDeep(`batch event [${deep}]`).message);
  const events = parsed.map((element: unknown, index): HttpEvent => {
    const { verdict, value } = judgeElement(element, `batch event [${index}]`, ctx);
    const headers = headerRecord();
    headers['content-type'] = CLOUDEVENTS_JSON;
    const key = isJsonObject(element) ? stringOrNull(element.subject) : null;
    return event(index, verdict, httpHints(jsonEnvelopeHints(element)), { key, headers, value });
  });
  return { ok: true, contentMode: 'batch', events };
}

/** One structured event given as a parsed JSON value (a batch element), judged with its JSON text. */
function judgeElement(element: unknown, what: string, ctx: ContractContext): { verdict: Validation; value: Buffer } {
  const value = Buffer.from(JSON.stringify(element) ?? 'null', 'utf8');
  // The limit is per event: an element's size is that of its JSON text, as on Kafka.
  if (value.length > MAX_EVENT_BYTES) return { verdict: tooLarge(value.length, what), value };
  if (jsonDepthExceeds(element, MAX_JSON_DEPTH)) return { verdict: tooDeep(what), value };
  if (!isJsonObject(element)) return { verdict: notAnObject(what, element), value };
  return { verdict: check(element, ctx, structuredLabel), value };
}

/**
 * Structured events already parsed from JSON (e.g. a what-if's `events`), each judged exactly as an
 * element of an ingest batch is: size, depth, object, then the contract. `what` names element i.
 */
export function judgeStructuredEvents(elements: readonly unknown[], ctx: ContractContext, what = (i: number) => `events[${i}]`): Validation[] {
  return elements.map((element, index) => judgeElement(element, what(index), ctx).verdict);
}

/** A `ce-*` header value, percent-decoded (CloudEvents HTTP binding, 3.1.3.2). */
function decodeAttributeHeader(name: string, value: string): { ok: true; value: string } | HttpRequestProblem {
  const instruction = 'percent-encode non-ASCII characters as UTF-8 %XX (CloudEvents HTTP binding)';
  // Node reads header bytes as latin-1: a non-ASCII character here is an unencoded byte.
  if (/[^\t\x20-\x7e]/.test(value)) return problem(400, `header ${name} has characters outside printable ASCII: ${instruction}`);
  try {
    // Malformed UTF-8 (an encoded lone surrogate included) throws: no ill-formed text gets through.
    return { ok: true, value: decodeURIComponent(value) };
  } catch {
    return problem(400, `header ${name} is not validly percent-encoded: ${instruction}`);
  }
}

function binary(request: HttpRequestIn, ctx: ContractContext): HttpRequestParse {
  const what = 'request body (data)';
  const headers = headerRecord();
  const attributes = new Map<string, string>();
  for (const [rawName, raw] of Object.entries(request.headers)) {
    const name = rawName.toLowerCase();
    if (!name.startsWith(HTTP_PREFIX) || raw === undefined) continue;
    const decoded = decodeAttributeHeader(name, Array.isArray(raw) ? raw.join(', ') : raw);
    if (!decoded.ok) return decoded;
    const attribute = name.slice(HTTP_PREFIX.length);
    attributes.set(attribute, decoded.value);
    headers[`${KAFKA_PREFIX}${attribute}`] = decoded.value;
  }
  if (attributes.size === 0) return unsupported(request.contentType);
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;

  const { body } = request;
  let verdict: Validation | null = null;
  let data: unknown;
  if (body.length > MAX_EVENT_BYTES) verdict = tooLarge(body.length, what);
  else if (body.length > 0) {
    const json = parseJsonPayload(body, what);
    if (json.ok) data = json.value;
    else verdict = json;
  }
  if (verdict === null) {
    // As parseKafkaRecord rebuilds it from the record: Content-Type is datacontenttype, the body is data.
    const candidate: Record<string, unknown> = { ...Object.fromEntries(attributes), datacontenttype: request.contentType, data };
    verdict = check(candidate, ctx, binaryLabel);
  }
  const hints = httpHints(envelopeHints((name) => attributes.get(name)));
  return { ok: true, contentMode: 'binary', events: [event(0, verdict, hints, { key: attributes.get('subject') ?? null, headers, value: body })] };
}

function binaryLabel(attribute: string): string {
  if (attribute === 'data') return 'request body (data)';
  if (attribute === 'datacontenttype') return 'header Content-Type';
  return `header ${HTTP_PREFIX}${attribute}`;
}
