// Bytes → JSON, shared by the Kafka and HTTP bindings.
import { showValue } from './issues';
import { reject, type Rejection } from './rejections';

export function byteLengthOf(value: Buffer | string): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Deepest nesting of objects and arrays accepted in one event (events nest 5 levels at most:
 * event, data, changes, site, location). Anything deeper is `malformed`, over Kafka and HTTP alike:
 * reading it back for a message (JSON.stringify is recursive) would overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** True when a parsed JSON value nests objects/arrays deeper than `limit` (iterative: no stack to overflow). */
export function jsonDepthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** RFC 8259 §8.1 lets a parser ignore a leading byte order mark: it is dropped, over Kafka and HTTP alike. */
const BOM = '\uFEFF';

export type JsonPayload = { ok: true; value: unknown } | Rejection;

/** The rejection of a value nested deeper than MAX_JSON_DEPTH. */
export function tooDeep(what: string): Rejection {
  return reject('malformed', `${what} is nested more than ${MAX_JSON_DEPTH} levels deep: send a CloudEvent as a flat JSON object with shallow data`);
}

/**
 * The JSON text of a payload: strict UTF-8 with a leading BOM dropped (TextDecoder drops it from
 * bytes; a string loses it here), or `malformed`.
 */
export function jsonText(payload: Buffer | string, what: string): { ok: true; text: string } | Rejection {
  if (typeof payload === 'string') return { ok: true, text: payload.startsWith(BOM) ? payload.slice(BOM.length) : payload };
  try {
    return { ok: true, text: UTF8.decode(payload) };
  } catch {
    return reject('malformed', `${what} is not valid UTF-8: send JSON encoded as UTF-8`);
  }
}

/** JSON.parse, as a rejection when the text is not one JSON document. */
export function parseJsonText(text: string, what: string): JsonPayload {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? ` (${error.message})` : '';
    return reject('malformed', `${what} is not valid JSON${detail}: send one complete JSON document`);
  }
}

/**
 * Strict UTF-8 (a leading BOM is dropped), then JSON no deeper than MAX_JSON_DEPTH; anything else is
 * `malformed`. The one parse of an event's bytes, for every binding.
 */
export function parseJsonPayload(payload: Buffer | string, what: string): JsonPayload {
  const text = jsonText(payload, what);
  if (!text.ok) return text;
  const json = parseJsonText(text.text, what);
  if (json.ok && jsonDepthExceeds(json.value)) return tooDeep(what);
  return json;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For a structured event (or a batch element) that parsed as JSON but is no object. */
export function notAnObject(what: string, value: unknown): Rejection {
  return reject('malformed', `${what} is ${showValue(value)}, not a JSON object: send the CloudEvent as one JSON object`);
}
