// A stored `enterprise.deregistered` event for the store's tests: its (source, id) key and the
// Kafka position it came from are what the tests vary.
import { eventIdentity } from '@siliconalley/contract';
import type { StoredEvent } from '../src';

export const TEST_TOPIC = 'siliconalley.enterprise.v1';

export const storedEvent = (id: string, offset: string | number, source = 'urn:dongcheng:samr'): StoredEvent => ({
  _id: eventIdentity({ source, id }),
  source,
  id,
  type: 'enterprise.deregistered',
  subject: '91110101MA01ABCD5M',
  time: '2025-08-01T00:00:00Z',
  effectiveDate: '2025-08-01',
  data: { uscc: '91110101MA01ABCD5M', effectiveOn: '2025-08-01', reason: 'other' },
  contentMode: 'structured',
  origin: { topic: TEST_TOPIC, partition: 0, offset: String(offset) },
  receivedAt: new Date(),
});
