// The checks of events.md "Rejections", in their order, on one CloudEvent whatever binding it
// came through. The first rule broken decides the reason; an event that passes becomes the
// normalised accepted event.
import { taskById, isDepartmentOnTask } from '@siliconalley/plan';
import { addDays, chinaDateOf } from './dates';
import { cloudEventEnvelope, envelopeText, type CloudEventEnvelope } from './envelope';
import type { AcceptedEvent } from './events';
import { dataFieldLabel, firstIssueMessage, showValue } from './issues';
import { locationProblem, LATITUDE_RANGE, LONGITUDE_RANGE } from './location';
import { reject, type Rejection } from './rejections';
import { topicOfType } from './topics';
import { TYPE_RULES } from './type-rules';
import { usccProblem, isValidUscc } from './uscc';
import { fullType, SHORT_TYPES, shortTypeOf, type ShortType } from './vocabulary';

/** What the contract needs to know besides the event itself. */
export interface ContractContext {
  /** When the event arrived: its China-time day bounds effective dates (future_dated). */
  receivedAt: Date;
  /** Legacy codes an operator accepts as USCCs although they fail GB 32100-2015 (exact match). */
  legacyUsccAllowList?: ReadonlySet<string>;
}

export interface EventCheckOptions extends ContractContext {
  /** Kafka: the topic the record was read from. HTTP: absent, the type decides the topic. */
  topic?: string;
  /** How the provider's request names an attribute: `source`, `header ce_source`, `header ce-source`. */
  attributeLabel: (attribute: string) => string;
}

export interface Acceptance {
  ok: true;
  event: AcceptedEvent;
}
export type Validation = Acceptance | Rejection;

/** Checks one CloudEvent (a JSON object: a structured event, or one rebuilt from binary headers). */
export function validateCloudEvent(candidate: Readonly<Record<string, unknown>>, options: EventCheckOptions): Validation {
  const envelope = cloudEventEnvelope.safeParse(candidate);
  if (!envelope.success) {
    return reject(
      'malformed',
      firstIssueMessage(envelope.error, candidate, (path) => options.attributeLabel(String(path[0] ?? 'event'))),
    );
  }
  const type = shortTypeOf(envelope.data.type);
  if (type === null) {
    return reject(
      'unknown_type',
      `${options.attributeLabel('type')} ${showValue(envelope.data.type)} is not a type of event contract v1: ` +
        `send one of ${SHORT_TYPES.map(fullType).join(', ')}`,
    );
  }
  const topic = topicOfType(type);
  if (options.topic !== undefined && options.topic !== topic) {
    return reject('unknown_type', `type ${envelope.data.type} does not belong on topic ${options.topic}: publish it to ${topic}`);
  }
  const text = envelopeText.safeParse(envelope.data);
  if (!text.success) {
    return reject(
      'schema_invalid',
      firstIssueMessage(text.error, envelope.data, (path) => options.attributeLabel(String(path[0] ?? 'event'))),
    );
  }
  return checkData(type, envelope.data, options);
}

function checkData<T extends ShortType>(type: T, envelope: CloudEventEnvelope, options: EventCheckOptions): Validation {
  const rules = TYPE_RULES[type];
  const parsed = rules.schema.safeParse(envelope.data);
  if (!parsed.success) return reject('schema_invalid', firstIssueMessage(parsed.error, envelope.data, dataFieldLabel));
  const data = parsed.data;

  const uscc = rules.uscc(data);
  if (uscc !== null && !isValidUscc(uscc, options.legacyUsccAllowList)) {
    return reject(
      'invalid_uscc',
      `data.uscc ${showValue(uscc)} is not a valid Unified Social Credit Code (${usccProblem(uscc) ?? 'not listed'}): ` +
        "send the firm's 18-character code exactly as on its business licence",
    );
  }

  const subject = rules.expectedSubject(data);
  if (envelope.subject !== subject.value) {
    return reject(
      'subject_mismatch',
      `${options.attributeLabel('subject')} ${showValue(envelope.subject)} does not match ${subject.field} ${showValue(subject.value)}: ` +
        `send the same ${subject.what} in both`,
    );
  }

  const arrivedOn = chinaDateOf(options.receivedAt);
  const latestAllowed = addDays(arrivedOn, 1);
  const effective = rules.effective(data);
  if (effective.date > latestAllowed) {
    const starts = effective.value === effective.date ? '' : ` (effective ${effective.date})`;
    return reject(
      'future_dated',
      `${effective.field} ${effective.value}${starts} is later than ${latestAllowed}, the day after the event arrived ` +
        `(${arrivedOn}, China time): send the event no earlier than the day before it takes effect, or correct the date`,
    );
  }

  for (const { field, location } of rules.locations(data)) {
    const problem = locationProblem(location);
    if (problem !== null) {
      return reject(
        'invalid_location',
        `${field} is not a point in China: ${problem}: send lon ${LONGITUDE_RANGE.min}..${LONGITUDE_RANGE.max} and ` +
          `lat ${LATITUDE_RANGE.min}..${LATITUDE_RANGE.max} in the stated crs, or location null with a buildingId`,
      );
    }
  }

  const reporter = rules.reporter(data);
  if (reporter !== null && !isDepartmentOnTask(reporter.taskId, reporter.department)) {
    return reject('unauthorized_department', unauthorizedDepartmentMessage(reporter.taskId, reporter.department));
  }

  return { ok: true, event: rules.normalise(envelope, data) };
}

function unauthorizedDepartmentMessage(taskId: number, department: string): string {
  const task = taskById(taskId);
  const cooperating = task && task.cooperating.length > 0 ? `; cooperating: ${task.cooperating.join('、')}` : '';
  const onTask = task ? ` (lead: ${task.lead.join('、')}${cooperating})` : '';
  return (
    `data.department ${showValue(department)} is not a lead or cooperating department of task ${taskId}${onTask}: ` +
    "report under one of the task's departments, or ask the task force to add this department to the task"
  );
}
