import { differences, entryKey } from '../../src/compare';

describe('differences', () => {
  it('finds nothing for equal structures and numbers within 1e-9 relative', () => {
    expect(differences({ a: [1, { b: 0.1 + 0.2 }], c: null }, { a: [1, { b: 0.3 }], c: null })).toEqual([]);
  });
  it('names every differing path', () => {
    expect(differences({ a: 1, b: [1, 2], c: 'x' }, { a: 2, b: [1, 3], c: null })).toEqual([
      '.a: got 1, want 2',
      '.b.1: got 2, want 3',
      '.c: got "x", want null',
    ]);
  });
  it('reports a missing key', () => {
    expect(differences({ a: 1 }, { a: 1, b: 2 })).toEqual(['.b: got undefined, want 2']);
  });
});

describe('entryKey', () => {
  it('treats absent and null labels alike', () => {
    expect(entryKey({ id: 'qualified_firms', scope: 'district' })).toBe(entryKey({ id: 'qualified_firms', scope: 'district', kind: null }));
    expect(entryKey({ id: 'certified_firms', scope: 'district', kind: 'HNTE' })).not.toBe(entryKey({ id: 'certified_firms', scope: 'district' }));
  });
});
