import { firmsForRecords } from '../../src/log';

describe('firmsForRecords', () => {
  // Shaped like the simulator: district-wide records on top of ~2.87 records a firm.
  const simulatorLike = (firms: number) => 430 + Math.round(2.868 * firms);

  it("sizes a log by the fixed part and the per-firm slope, not by one sample's average", () => {
    const firms = firmsForRecords(1_000_000, simulatorLike);
    expect(Math.abs(simulatorLike(firms) - 1_000_000)).toBeLessThanOrEqual(3);
    // What scaling a 200-firm sample gave (the 1M ask became 616k records):
    const naive = Math.round(1_000_000 / (simulatorLike(200) / 200));
    expect(simulatorLike(naive)).toBeLessThan(700_000);
  });

  it('asks for one firm at least, and says so when the simulator gives no slope', () => {
    expect(firmsForRecords(10, simulatorLike)).toBe(1);
    expect(() => firmsForRecords(1000, () => 500)).toThrow(/cannot size a log/);
  });
});
