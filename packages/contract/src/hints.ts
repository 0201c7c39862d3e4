// What an event says of itself (id, source, type), read whether or not it is valid: the gateway
// checks a token's grants and names events in its answers with it, ingestion records and counts
// rejects by provider with it. Never trusted for anything else. Every reading of them is here.
import { headerText, type KafkaRecordIn } from './kafka';
import { isJsonObject } from './payload';

export interface EnvelopeHints {
  id: string | null;
  source: string | null;
  /** The type attribute as sent (the full CloudEvents type), not checked. */
  type: string | null;
}

export const NO_ENVELOPE_HINTS: EnvelopeHints = Object.freeze({ id: null, source: null, type: null });

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The hints of an envelope given by its attributes: a structured event's JSON members, or binary-mode headers. */
export function envelopeHints(attribute: (name: 'id' | 'source' | 'type') => unknown): EnvelopeHints {
  return { id: stringOrNull(attribute('id')), source: stringOrNull(attribute('source')), type: stringOrNull(attribute('type')) };
}

/** The hints of a structured event's parsed JSON; none when it is no JSON object. */
export function jsonEnvelopeHints(value: unknown): EnvelopeHints {
  return isJsonObject(value) ? envelopeHints((name) => value[name]) : NO_ENVELOPE_HINTS;
}

/** Longer values are no provider's names: a reject does not store or count them. */
const MAX_KAFKA_HINT_LENGTH = 512;

/**
 * The hints of a Kafka record (best effort, for a reject's disposition and counts by provider):
 * its `ce_` headers when it has `ce_source` or `ce_id`, otherwise its value's JSON members.
 */
export function kafkaRecordHints(record: Pick<KafkaRecordIn, 'headers' | 'value'>): EnvelopeHints {
  const header = (name: string) => headerText(record.headers[`ce_${name}`]);
  let hints: EnvelopeHints;
  if (header('source') !== undefined || header('id') !== undefined) hints = envelopeHints(header);
  else {
    try {
      const text = typeof record.value === 'string' ? record.value : (record.value?.toString('utf8') ?? '');
      hints = jsonEnvelopeHints(JSON.parse(text));
    } catch {
      hints = NO_ENVELOPE_HINTS;
    }
  }
  const capped = (v: string | null) => (v !== null && v.length <= MAX_KAFKA_HINT_LENGTH ? v : null);
  return { id: capped(hints.id), source: capped(hints.source), type: capped(hints.type) };
}
