// The CloudEvents 1.0 envelope as events.md requires it. Breaking it is `malformed`.
import { z } from 'zod';
import { isRfc3339Timestamp } from './dates';
import { isJsonDataContentType } from './media-types';
import { wellFormed } from './text';

const attribute = (instruction: string) => z.string({ error: instruction }).min(1, { error: instruction });

/** A URI-reference has no whitespace or control characters; `urn:dongcheng:samr` is one. */
const isUriReference = (value: string) => !/[\s\u0000-\u001f\u007f]/u.test(value);

const SOURCE_INSTRUCTION = 'send source as a non-empty URI-reference naming the provider, e.g. urn:dongcheng:samr';
const TIME_INSTRUCTION = 'send time as an RFC 3339 timestamp of when the event was produced, e.g. 2025-10-10T10:00:00+08:00';
const DATA_CONTENT_TYPE_INSTRUCTION = 'send datacontenttype "application/json", or leave it out';

export const cloudEventEnvelope = z.object({
  specversion: z.literal('1.0', { error: 'send specversion "1.0" (CloudEvents 1.0)' }),
  id: attribute('send id as a non-empty string, unique per source: (source, id) identifies the event'),
  source: attribute(SOURCE_INSTRUCTION).refine(isUriReference, { error: SOURCE_INSTRUCTION }).meta({ format: 'uri-reference' }),
  type: attribute('send type as the full type name, e.g. cn.gov.dongcheng.siliconalley.enterprise.registered.v1'),
  time: z.string({ error: TIME_INSTRUCTION }).refine(isRfc3339Timestamp, { error: TIME_INSTRUCTION }).meta({ format: 'date-time' }),
  subject: attribute('send subject as the firm\'s USCC (equal to data.uscc), or the task id "1".."34" for task reports'),
  datacontenttype: z
    .string({ error: DATA_CONTENT_TYPE_INSTRUCTION })
    .refine(isJsonDataContentType, { error: DATA_CONTENT_TYPE_INSTRUCTION })
    .meta({ description: 'application/json; may be omitted' })
    .optional(),
  // Presence only: what `data` must contain depends on the type (schema_invalid, checked later).
  data: z.custom<unknown>((v) => v !== undefined && v !== null, { error: 'send data, the payload, as a JSON object' }),
});

export type CloudEventEnvelope = z.output<typeof cloudEventEnvelope>;

/**
 * The free-text attributes again, as text: an unpaired surrogate in one is `schema_invalid`, judged
 * after the type (events.md checks `malformed`, then `unknown_type`, then the schema). `type`, `time`
 * and `datacontenttype` are checked against fixed forms already.
 */
export const envelopeText = z.object({ id: wellFormed(z.string()), source: wellFormed(z.string()), subject: wellFormed(z.string()) });

/** The attributes this contract reads, in the order they are checked. */
export const ENVELOPE_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype'] as const;
