import * as path from 'node:path';
import { acceptedFixtureEvents, loadDispositions, loadExpected, loadFixtureRecords, sharedDir } from '../../src';

describe('shared fixtures', () => {
  it('finds shared/ beside the repository unless SHARED_DIR is set', () => {
    const saved = process.env['SHARED_DIR'];
    delete process.env['SHARED_DIR'];
    expect(sharedDir()).toBe(path.resolve(__dirname, '../../../../../shared'));
    process.env['SHARED_DIR'] = '/elsewhere';
    expect(sharedDir()).toBe('/elsewhere');
    if (saved === undefined) delete process.env['SHARED_DIR'];
    else process.env['SHARED_DIR'] = saved;
  });

  it('loads records, dispositions and expected results of one fixture', () => {
    const records = loadFixtureRecords('small');
    expect(records).toHaveLength(loadDispositions('small').length);
    expect(loadExpected('small').generator.records).toBe(records.length);
  });

  it('normalises the accepted records of both content modes', () => {
    const accepted = acceptedFixtureEvents('small');
    expect(accepted).toHaveLength(loadDispositions('small').filter((d) => d.disposition === 'accepted').length);
    for (const event of accepted) {
      expect(event.source).toMatch(/^urn:/);
      expect(event.effectiveDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(event.type).not.toMatch(/^cn\./);
    }
  });

  it('judges fixture records with the contract and keeps each accepted (source, id) once', () => {
    const events = acceptedFixtureEvents('small');
    const accepted = loadDispositions('small').filter((d) => d.disposition === 'accepted').length;
    expect(events).toHaveLength(accepted);
    expect(new Set(events.map((e) => `${e.source} ${e.id}`)).size).toBe(events.length);
    expect(events.every((e) => /^\d{4}-\d{2}-\d{2}$/.test(e.effectiveDate))).toBe(true);
  });
});
