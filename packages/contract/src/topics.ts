// Kafka topic names (events.md) and which types each source topic carries.
import type { ShortType } from './vocabulary';

export const TOPICS = {
  enterprise: 'siliconalley.enterprise.v1',
  certification: 'siliconalley.certification.v1',
  task: 'siliconalley.task.v1',
  deadLetter: 'siliconalley.deadletter.v1',
  alert: 'siliconalley.alert.v1',
  /** Internal: accepted, normalised events (key = USCC, or task id), behind the ingestion door. */
  accepted: 'siliconalley.accepted.v1',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** The topics providers publish to. */
export const SOURCE_TOPICS = [TOPICS.enterprise, TOPICS.certification, TOPICS.task] as const;
export type SourceTopic = (typeof SOURCE_TOPICS)[number];

const TOPIC_OF_TYPE: Readonly<Record<ShortType, SourceTopic>> = {
  'enterprise.registered': TOPICS.enterprise,
  'enterprise.updated': TOPICS.enterprise,
  'enterprise.deregistered': TOPICS.enterprise,
  'certification.granted': TOPICS.certification,
  'certification.revoked': TOPICS.certification,
  'task.progress.reported': TOPICS.task,
};

/** The one source topic a type belongs on; on any other it is `unknown_type`. */
export function topicOfType(type: ShortType): SourceTopic {
  return TOPIC_OF_TYPE[type];
}
