// JSON Schemas for providers, one per type: the structured CloudEvent with its `data`, generated
// from the same zod schemas that validate. The check character of a USCC, real calendar dates and
// "validUntil ≥ validFrom" cannot be said in JSON Schema; the descriptions and events.md say them.
import { PLAN_TASKS } from '@siliconalley/plan';
import { z } from 'zod';
import { cloudEventEnvelope } from './envelope';
import { topicOfType } from './topics';
import { DATA_SCHEMAS } from './schemas';
import { USCC_PATTERN } from './uscc';
import { FIRM_TYPES, fullType, SHORT_TYPES, type ShortType } from './vocabulary';

const isFirmType = (type: ShortType) => (FIRM_TYPES as readonly ShortType[]).includes(type);

/** A task id `"1"`..`"34"` as a string. */
const TASK_SUBJECT_PATTERN = `^(${PLAN_TASKS.map((t) => t.id).join('|')})$`;

function eventSchema(type: ShortType) {
  return cloudEventEnvelope
    .extend({
      type: z.literal(fullType(type)),
      subject: z
        .string()
        .meta(
          isFirmType(type)
            ? { pattern: USCC_PATTERN, description: "the firm's USCC, equal to data.uscc" }
            : { pattern: TASK_SUBJECT_PATTERN, description: 'the task id "1".."34", equal to data.taskId' },
        ),
      data: DATA_SCHEMAS[type],
    })
    .meta({
      title: fullType(type),
      description:
        `Event contract v1 (shared/spec/events.md), structured CloudEvents 1.0 form; topic ${topicOfType(type)}. ` +
        'In binary mode the attributes go in ce_ (Kafka) or ce- (HTTP) headers and the record value or body is data. ' +
        'Unknown extra fields in data are ignored. At most 262144 bytes.',
    });
}

export interface JsonSchemaFile {
  /** `<full type>.json` */
  fileName: string;
  /** The file's exact text. */
  text: string;
}

/** The provider-facing JSON Schema files, exactly as written to packages/contract/schemas/. */
export function providerJsonSchemaFiles(): JsonSchemaFile[] {
  return SHORT_TYPES.map((type) => ({
    fileName: `${fullType(type)}.json`,
    // `io: 'input'`: what providers send (optional fields optional, extra fields allowed).
    text: `${JSON.stringify(z.toJSONSchema(eventSchema(type), { io: 'input', unrepresentable: 'any' }), null, 2)}\n`,
  }));
}
