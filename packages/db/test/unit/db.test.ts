import { databaseUrl, duplicateKeyRefusals, isDuplicateKeyError, mongoose } from '../../src';

// The driver mongoose uses, so the error classes are the ones production code sees.
const { MongoBulkWriteError, MongoNetworkError } = mongoose.mongo;

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

describe('duplicateKeyRefusals', () => {
  it('gives the refused positions when every write error is E11000', () => {
    expect(
      duplicateKeyRefusals({
        writeErrors: [
          { index: 3, code: 11000 },
          { index: 0, err: { code: 11000 } },
        ],
      }),
    ).toEqual([3, 0]);
  });

  it('is null for anything that leaves unknown which documents were written', () => {
    // The driver's wrapper around a cut connection: a bulk error with an empty writeErrors list.
    const cut = new MongoBulkWriteError(new MongoNetworkError('connection 7 to 127.0.0.1:27017 closed'), {} as never);
    expect(cut.writeErrors).toEqual([]);
    expect(duplicateKeyRefusals(cut)).toBeNull();
    expect(
      duplicateKeyRefusals({
        writeErrors: [
          { index: 0, code: 11000 },
          { index: 1, code: 121 },
        ],
      }),
    ).toBeNull();
    expect(duplicateKeyRefusals({ writeErrors: [{ code: 11000 }] })).toBeNull();
    expect(duplicateKeyRefusals({ code: 11000 })).toBeNull();
    expect(duplicateKeyRefusals(new Error('socket hang up'))).toBeNull();
    expect(duplicateKeyRefusals(null)).toBeNull();
    // Duplicates plus a write-concern failure: nothing is known to be durable.
    expect(duplicateKeyRefusals({ writeErrors: [{ index: 0, code: 11000 }], result: { getWriteConcernError: () => ({ code: 64 }) } })).toBeNull();
  });
});
