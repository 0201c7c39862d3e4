import { HttpProblem } from '@siliconalley/http';
import { kpiRefOf } from '../../src';

const zones = ['QL', 'QL_START'];

describe('kpiRefOf', () => {
  it('builds the entry a query names, with numeric windows', () => {
    expect(kpiRefOf({ id: 'expiring_certifications', scope: 'zone:QL', kind: 'HNTE', within: '90' }, zones)).toEqual({
      id: 'expiring_certifications',
      scope: 'zone:QL',
      kind: 'HNTE',
      within: 90,
    });
    expect(kpiRefOf({ id: 'active_firms', scope: 'district' }, zones)).toEqual({ id: 'active_firms', scope: 'district' });
  });

  it('refuses unknown zones and label combinations that are no entry, with a readable detail', () => {
    expect(() => kpiRefOf({ id: 'active_firms', scope: 'zone:NOPE' }, zones)).toThrow(/unknown zone zone:NOPE; known: district, zone:QL, zone:QL_START/);
    expect(() => kpiRefOf({ id: 'unlocated_firms', scope: 'zone:QL' }, zones)).toThrow(HttpProblem);
    expect(() => kpiRefOf({ id: 'certified_firms', scope: 'district' }, zones)).toThrow(/no KPI entry/);
    expect(() => kpiRefOf({ id: 'active_firms', scope: 'district', kind: 'HNTE' }, zones)).toThrow(/no KPI entry/);
  });
});
