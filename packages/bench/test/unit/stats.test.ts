import { rawDocument, sampleValue, untilIdle, windowRates, type Progress } from '../../src';

describe('windowRates', () => {
  it('measures the first window from the first commit and the last window up to the end', () => {
    // Start-up: nothing committed for 5 s; then 100 records/s for the first 1,000, 50/s for the last 1,000.
    const samples: Progress = [
      [0, 0],
      [5000, 0],
      [6000, 100],
      [15000, 1000],
      [20000, 1500],
      [80000, 9000],
      [100000, 10000],
    ];
    const { first, last } = windowRates(samples, 10000, 1000);
    expect(first).toBeCloseTo(100, 5); // 900 records in 9 s, from the first commit
    expect(last).toBeCloseTo(50, 5); // 1,000 records in 20 s
  });
});

describe('rawDocument', () => {
  const at = new Date('2026-12-03T00:00:00Z');
  it('keys a CloudEvent by its identity', () => {
    const doc = rawDocument('t', 1, '7', Buffer.from(JSON.stringify({ source: 's', id: 'i', type: 'x' })), at);
    expect(doc).toMatchObject({ _id: JSON.stringify(['s', 'i']), type: 'x', origin: { topic: 't', partition: 1, offset: '7' } });
  });
  it('keeps a malformed record as its bytes under its position instead of failing the batch', () => {
    for (const value of ['{not json', '"a string"', JSON.stringify({ id: 'no source' })]) {
      const doc = rawDocument('t', 2, '9', Buffer.from(value), at);
      expect(doc._id).toBe('t/2/9');
      expect(Buffer.from(doc.raw).toString()).toBe(value);
    }
  });
});

describe('untilIdle', () => {
  it('waits for the load to stay low for the quiet period: a single low reading between busy ones does not count', async () => {
    const readings = [3, 0.5, 3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    let read = 0;
    // A clock that moves 10 ms per reading, whatever the scheduler does (a busy CI machine stretched
    // the real polling interval past the quiet period and made the count vary).
    let clock = 0;
    const said: string[] = [];
    await untilIdle(
      (l) => said.push(l),
      1,
      10_000,
      40,
      () => {
        clock += 10;
        return readings[Math.min(read++, readings.length - 1)]!;
      },
      () => clock,
    );
    // The first reading is the announcement's; the dip at the second is undone by the busy third;
    // quiet from the fourth (10 ms each) until 40 ms later, at the eighth.
    expect(read).toBe(8);
    expect(said[said.length - 1]).toMatch(/idle after/);
  });

  it('gives up after the timeout while the machine stays busy', async () => {
    await expect(
      untilIdle(
        () => undefined,
        1,
        100,
        20,
        () => 5,
      ),
    ).rejects.toThrow(/timed out .* an idle machine/);
  });
});

describe('sampleValue', () => {
  const exposition = [
    '# HELP siliconalley_assessments_catch_up_pending Whether closed periods remain.',
    '# TYPE siliconalley_assessments_catch_up_pending gauge',
    'siliconalley_assessments_catch_up_pending_other 7',
    'siliconalley_assessments_catch_up_pending{service="alerting"} 0',
    'plain_gauge 2.5',
  ].join('\n');

  it('reads a sample with the labels the registry adds, and one without labels; never a longer name', () => {
    expect(sampleValue(exposition, 'siliconalley_assessments_catch_up_pending')).toBe(0);
    expect(sampleValue(exposition, 'plain_gauge')).toBe(2.5);
    expect(sampleValue(exposition, 'plain')).toBeNull();
    expect(sampleValue(exposition, 'absent')).toBeNull();
  });
});
