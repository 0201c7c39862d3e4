import { databaseUrl, isDuplicateKeyError } from '../../src';

describe('databaseUrl', () => {
  it('suffixes the database name with the namespace and keeps options', () => {
    expect(databaseUrl('mongodb://127.0.0.1:27017/siliconalley', '')).toBe('mongodb://127.0.0.1:27017/siliconalley');
    expect(databaseUrl('mongodb://u:p@db:27017/siliconalley?authSource=admin', 'tabc')).toBe('mongodb://u:p@db:27017/siliconalley-tabc?authSource=admin');
    expect(databaseUrl('mongodb://db:27017', 'x')).toBe('mongodb://db:27017/siliconalley-x');
  });
});

describe('isDuplicateKeyError', () => {
  it('recognises E11000 only', () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyError({ code: 121 })).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});
