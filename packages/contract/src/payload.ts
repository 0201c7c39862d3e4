// Bytes → JSON, shared by the Kafka and HTTP bindings.
import { showValue } from './issues';
import { reject, type Rejection } from './rejections';

export function byteLengthOf(value: Buffer | string): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export type JsonPayload = { ok: true; value: unknown } | Rejection;

/** Strict UTF-8 (a leading BOM is dropped), then JSON; anything else is `malformed`. */
export function parseJsonPayload(payload: Buffer | string, what: string): JsonPayload {
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : UTF8.decode(payload);
  } catch {
    return reject('malformed', `${what} is not valid UTF-8: send JSON encoded as UTF-8`);
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const detail = error instanceof Error ? ` (${error.message})` : '';
    return reject('malformed', `${what} is not valid JSON${detail}: send one complete JSON document`);
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For a structured event (or a batch element) that parsed as JSON but is no object. */
export function notAnObject(what: string, value: unknown): Rejection {
  return reject('malformed', `${what} is ${showValue(value)}, not a JSON object: send the CloudEvent as one JSON object`);
}
