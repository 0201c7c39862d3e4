import * as path from 'node:path';
import {
  acceptedFixtureEvents,
  loadDispositions,
  loadExpected,
  loadFixtureRecords,
  normaliseAcceptedRecord,
  sharedDir,
  syntheticFirmEvents,
  syntheticUscc,
} from '../../src';

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

  it('fills optional fields with null and sets the effective date', () => {
    const binary = normaliseAcceptedRecord({
      topic: 'siliconalley.certification.v1',
      key: '91110101MA01ABCD5M',
      headers: { 'content-type': 'application/json', ce_specversion: '1.0', ce_id: 'c-1', ce_source: 'urn:dongcheng:stc', ce_type: 'cn.gov.dongcheng.siliconalley.certification.granted.v1', ce_time: '2024-01-02T00:00:00Z', ce_subject: '91110101MA01ABCD5M' },
      value: JSON.stringify({ uscc: '91110101MA01ABCD5M', kind: 'HNTE', certificateNo: 'GR1', validFrom: '2023-12-12', extra: 1 }),
    });
    expect(binary).toEqual({
      source: 'urn:dongcheng:stc',
      id: 'c-1',
      type: 'certification.granted',
      time: '2024-01-02T00:00:00Z',
      subject: '91110101MA01ABCD5M',
      effectiveDate: '2023-12-12',
      data: { uscc: '91110101MA01ABCD5M', kind: 'HNTE', level: null, certificateNo: 'GR1', validFrom: '2023-12-12', validUntil: null, issuer: null, batch: null },
    });
    const structured = normaliseAcceptedRecord({
      topic: 'siliconalley.task.v1',
      key: '14',
      headers: { 'content-type': 'application/cloudevents+json' },
      value: JSON.stringify({ specversion: '1.0', id: 't-1', source: 'urn:dongcheng:gov', type: 'cn.gov.dongcheng.siliconalley.task.progress.reported.v1', time: '2025-10-01T00:00:00Z', subject: '14', data: { taskId: 14, department: '区国资委', period: '2025-Q3', status: 'in_progress', percentComplete: 60 } }),
    });
    expect(structured.effectiveDate).toBe('2025-07-01');
    expect(structured.data).toMatchObject({ narrative: null, departmentNormalised: '区国资委' });
  });
});

describe('synthetic firms', () => {
  it('are deterministic and carry valid USCCs', () => {
    expect(syntheticFirmEvents(42, 3)).toEqual(syntheticFirmEvents(42, 3));
    expect(syntheticFirmEvents(42, 3)).not.toEqual(syntheticFirmEvents(42, 4));
    const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    for (const n of [0, 1, 30, 31, 999_999]) {
      const uscc = syntheticUscc(n);
      const sum = [...uscc.slice(0, 17)].reduce((acc, ch, i) => acc + weights[i]! * chars.indexOf(ch), 0);
      expect(uscc).toHaveLength(18);
      expect(chars[(31 - (sum % 31)) % 31]).toBe(uscc[17]);
    }
    expect(new Set([0, 1, 2, 31, 961].map(syntheticUscc)).size).toBe(5);
  });
});
