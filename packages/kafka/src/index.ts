// Our adapter around kafkajs (unmaintained upstream): the rest of the code never imports kafkajs,
// so a replacement client touches this package only.
// First: kafkajs' negative throttle timeout, which Node 24 warns about (see the module).
import './negative-timeout';

export { KafkaClient, type KafkaOptions } from './client';
export type { TopicSpec } from './admin';
export type { ConsumerOptions, ManagedConsumer } from './consumer';
export type { PoisonOptions } from './poison';
export { recordPosition, type BatchContext, type ChunkHandler, type InboundRecord, type OutboundRecord } from './records';
export { DeadLetterProducer, type DeadLetter } from './dead-letter';
export { offsetsBehind, type PartitionRange } from './lag';
export { ACCEPTED_TOPIC_PARTITIONS, CONSUMER_GROUPS, DLQ_HEADERS, TOPIC_PARTITIONS, namespacedTopic } from './topology';
