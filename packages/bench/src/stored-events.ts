// Documents shaped as the event store keeps them (packages/store `StoredEvent`): `_id` = the event
// key, the CloudEvent's attributes and data, `origin`, `receivedAt`; built lazily from the testkit's synthetic firm histories, so a run of 500k never
// holds them all in memory.
import { topicOfType, type FirmEvent } from '@siliconalley/contract';
import { storedEventOf, type StoredEvent } from '@siliconalley/store';
import { syntheticFirmEvents } from '@siliconalley/testkit';

/** The event store's document (packages/store), as ingestion writes it. */
export type StoredEventDocument = StoredEvent;

export function storedEventDocument(event: FirmEvent, offset: number): StoredEventDocument {
  return storedEventOf(event, 'structured', { topic: topicOfType(event.type), partition: offset % 3, offset: String(offset) }, new Date());
}

/** Endless: firm after firm, every event once (ids are unique across firms). */
export function* storedEventDocuments(seed = 1): Generator<StoredEventDocument, never> {
  let offset = 0;
  for (let firm = 0; ; firm++) {
    for (const event of syntheticFirmEvents(firm, seed)) yield storedEventDocument(event, offset++);
  }
}

/** The next `n` documents of an endless generator. */
export function take<T>(source: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  while (out.length < n) {
    const next = source.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}
