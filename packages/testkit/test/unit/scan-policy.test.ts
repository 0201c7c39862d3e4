import { ObjectId } from 'bson';
import { formatViolations, scanViolations, shapeOf, unkeyedReason, type RecordedCommand } from '../../src';

let at = 0;
const cmd = (c: Partial<RecordedCommand> & Pick<RecordedCommand, 'command'>): RecordedCommand => ({
  db: 'sa',
  collection: 'events',
  app: 'test',
  connection: 1,
  phase: 'replay',
  at: at++,
  ...c,
});
const offending = (commands: RecordedCommand[], policy?: Parameters<typeof scanViolations>[1]) => scanViolations(commands, policy).map((v) => v.command);

describe('scan policy', () => {
  it('never allows aggregate, count or distinct over a big collection', () => {
    const commands = [
      cmd({ command: 'aggregate', pipeline: [{ $group: { _id: '$type', n: { $sum: 1 } } }] }),
      // countDocuments
      cmd({
        command: 'aggregate',
        collection: 'disposition_chunks',
        pipeline: [{ $match: { disposition: 'rejected' } }, { $group: { _id: 1, n: { $sum: 1 } } }],
      }),
      // estimatedDocumentCount
      cmd({ command: 'count', filter: {} }),
      cmd({ command: 'distinct', collection: 'disposition_chunks', filter: {} }),
    ];
    expect(offending(commands)).toEqual(commands);
    expect(scanViolations(commands)[0]!.reason).toMatch(/aggregate over events/);
  });

  it('allows key lookups: _id equality (any key type), $eq, and $in within the key bound', () => {
    const commands = [
      cmd({ command: 'find', filter: { _id: 'urn:x\u0000id-1' }, limit: 1 }),
      cmd({ command: 'find', filter: { _id: new ObjectId() } }),
      cmd({ command: 'find', filter: { _id: { $eq: 'k' } } }),
      cmd({ command: 'find', filter: { _id: { $in: ['a', 'b', 'c'] } } }),
      cmd({ command: 'find', filter: { _id: { source: 's', id: 'i' } } }),
      // A further condition only narrows what the keys found.
      cmd({ command: 'find', collection: 'dispositions', filter: { _id: 'p', disposition: 'accepted' } }),
      cmd({ command: 'findAndModify', filter: { _id: 'k' } }),
      cmd({ command: 'update', filter: { _id: 'k' }, multi: false }),
      cmd({ command: 'update', filter: { _id: { $in: ['a', 'b'] } }, multi: true }),
      cmd({ command: 'delete', filter: { _id: 'k' }, limit: 1 }),
    ];
    expect(offending(commands)).toEqual([]);
  });

  it('bounds $in by its number of keys, or by a limit within the bound', () => {
    const keys = Array.from({ length: 11 }, (_, i) => `k${i}`);
    const policy = { maxKeys: 10 };
    const tooMany = cmd({ command: 'find', filter: { _id: { $in: keys } } });
    const limited = cmd({ command: 'find', filter: { _id: { $in: keys } }, limit: 10 });
    const limitTooHigh = cmd({ command: 'find', filter: { _id: { $in: keys } }, limit: 11 });
    expect(offending([tooMany, limited, limitTooHigh], policy)).toEqual([tooMany, limitTooHigh]);
    expect(scanViolations([tooMany], policy)[0]!.reason).toMatch(/11 keys \(more than 10\)/);
    expect(offending([cmd({ command: 'find', filter: { _id: { $in: keys } } })])).toEqual([]);
  });

  it('flags finds without a filter, on other fields, on _id ranges or patterns, and any sort', () => {
    const commands = [
      cmd({ command: 'find', filter: {} }),
      cmd({ command: 'find' }),
      cmd({ command: 'find', filter: {}, limit: 1, sort: { receivedAt: -1 } }),
      cmd({ command: 'find', filter: { 'origin.topic': 't' }, sort: { 'origin.topic': 1, timeInstant: -1 }, limit: 1 }),
      cmd({ command: 'find', filter: { type: 'task.progress.reported' } }),
      cmd({ command: 'find', filter: { receivedAt: { $gt: new Date() } } }),
      cmd({ command: 'find', filter: { _id: { $gt: 'a' } } }),
      cmd({ command: 'find', filter: { _id: /^urn:/ } }),
      cmd({ command: 'find', filter: { $or: [{ _id: 'a' }, { _id: 'b' }] } }),
      cmd({ command: 'find', filter: { _id: 'k' }, sort: { _id: 1 } }),
      cmd({ command: 'findAndModify', filter: { type: 'x' } }),
    ];
    const violations = scanViolations(commands);
    expect(violations.map((v) => v.command)).toEqual(commands);
    expect(violations.map((v) => v.reason)).toEqual([
      'find over events is no keyed lookup: no filter: reads the whole collection',
      'find over events is no keyed lookup: no filter: reads the whole collection',
      'find over events is no keyed lookup: no filter: reads the whole collection',
      'find over events is no keyed lookup: filter on origin.topic, not on _id',
      'find over events is no keyed lookup: filter on type, not on _id',
      'find over events is no keyed lookup: filter on receivedAt, not on _id',
      'find over events is no keyed lookup: _id $gt: not a key equality or $in',
      'find over events is no keyed lookup: _id /^urn:/ is a pattern, not a key',
      'find over events is no keyed lookup: filter on $or, not on _id',
      'find over events with a sort',
      'findAndModify over events is no keyed lookup: filter on type, not on _id',
    ]);
  });

  it('flags updates and deletes not keyed by _id', () => {
    const commands = [
      cmd({ command: 'update', collection: 'disposition_chunks', filter: { topic: 't' }, multi: true }),
      cmd({ command: 'delete', filter: {}, limit: 0 }),
    ];
    expect(offending(commands)).toEqual(commands);
  });

  it('lets inserts, cursors, index builds and every small collection pass', () => {
    const commands = [
      cmd({ command: 'insert', documents: 500 }),
      cmd({ command: 'getMore' }),
      cmd({ command: 'killCursors' }),
      cmd({ command: 'createIndexes' }),
      cmd({ command: 'create' }),
      cmd({ command: 'hello', collection: null }),
      cmd({ command: 'aggregate', collection: null, pipeline: [{ $currentOp: {} }] }),
      ...['tokens', 'targets', 'assessments', 'leases', 'flags', 'assessmentheads'].flatMap((collection) => [
        cmd({ command: 'find', collection, filter: {} }),
        cmd({ command: 'aggregate', collection, pipeline: [] }),
        cmd({ command: 'count', collection }),
      ]),
    ];
    expect(offending(commands)).toEqual([]);
  });

  it('takes the big collections from the policy', () => {
    const scan = cmd({ command: 'find', collection: 'ledger', filter: {} });
    expect(offending([scan])).toEqual([]);
    expect(offending([scan], { bigCollections: ['ledger'] })).toEqual([scan]);
    expect(offending([cmd({ command: 'count' })], { bigCollections: ['ledger'] })).toEqual([]);
  });

  it('flags what could not be inspected, on any collection', () => {
    const commands = [
      cmd({ command: 'compressed', collection: null, why: 'compressed with compressor 1 (snappy)' }),
      cmd({ command: 'unreadable', collection: null }),
    ];
    expect(offending(commands)).toEqual(commands);
  });

  it('explains an unkeyed filter (null for a keyed one)', () => {
    expect(unkeyedReason({ _id: 'a' }, undefined)).toBeNull();
    expect(unkeyedReason(undefined, 1)).toMatch(/no filter/);
    expect(unkeyedReason({ _id: { $in: ['a', 'b'] } }, undefined, 1)).toMatch(/2 keys/);
  });

  it('formats violations grouped by phase and shape, with counts and an example', () => {
    const v = scanViolations([
      cmd({ command: 'aggregate', collection: 'disposition_chunks', app: 'gateway', phase: 'views', pipeline: [{ $group: { _id: '$topic' } }] }),
      cmd({ command: 'find', app: 'alerting', phase: 'loops', filter: { type: 'a' } }),
      cmd({ command: 'find', app: 'alerting', phase: 'loops', filter: { type: 'b' } }),
    ]);
    const text = formatViolations(v);
    expect(text).toContain('phase views: 1 violations');
    expect(text).toContain('1× [gateway] aggregate disposition_chunks pipeline [{"$group":{"_id":"$topic"}}]');
    expect(text).toContain('phase loops: 2 violations');
    expect(text).toContain('2× [alerting] find events filter {"type":"a"}');
    expect(shapeOf({ _id: { $in: ['a', 'b', 'c', 'd'] }, t: 1 })).toEqual({ _id: { $in: '[4 values]' }, t: '?' });
  });
});
