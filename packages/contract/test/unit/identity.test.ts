import { eventIdentity } from '../../src';

describe('eventIdentity', () => {
  it('is the (source, id) pair as JSON: the event store `_id`, so this spelling is pinned', () => {
    expect(eventIdentity({ source: 'urn:dongcheng:samr', id: 'samr-1' })).toBe('["urn:dongcheng:samr","samr-1"]');
  });

  it('is unambiguous for any characters', () => {
    expect(eventIdentity({ source: 'a","b', id: 'c' })).not.toBe(eventIdentity({ source: 'a', id: 'b","c' }));
    expect(eventIdentity({ source: 'a\u0000b', id: 'c' })).not.toBe(eventIdentity({ source: 'a', id: 'b\u0000c' }));
  });
});
