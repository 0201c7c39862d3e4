export * from './vocabulary';
export * from './events';
export * from './dates';
export * from './days';
export * from './uscc';
export * from './location';
export * from './certification';
export * from './topics';
export * from './rejections';
export * from './media-types';
export { cloudEventEnvelope, type CloudEventEnvelope } from './envelope';
export { DATA_SCHEMAS, type WireData, type WireGeoLocation, type WireSite } from './schemas';
export { validateCloudEvent, type Acceptance, type ContractContext, type EventCheckOptions, type Validation } from './validate';
export { type EnvelopeHints, NO_ENVELOPE_HINTS, envelopeHints, jsonEnvelopeHints, kafkaRecordHints } from './hints';
export { parseKafkaRecord, type KafkaContentMode, type KafkaParseResult, type KafkaRecordIn } from './kafka';
export {
  judgeStructuredEvents,
  parseHttpRequest,
  type HttpContentMode,
  type HttpEvent,
  type HttpEventHints,
  type HttpKafkaRecord,
  type HttpRequestIn,
  type HttpRequestParse,
  type HttpRequestProblem,
} from './http';
export { MAX_JSON_DEPTH, jsonDepthExceeds } from './payload';
export { isWellFormedText } from './text';
export { providerJsonSchemaFiles, type JsonSchemaFile } from './json-schemas';
