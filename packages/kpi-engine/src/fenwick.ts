/**
 * Many Fenwick (binary indexed) trees over the same day range, in one Int32Array: series s owns
 * cells [s·(days+1), (s+1)·(days+1)). Each tree holds a difference array (+1 where an interval
 * starts, −1 where it ends), so the prefix sum up to day i is the count on day i.
 * Update and query are O(log days), independent of the number of firms.
 */
export class FenwickForest {
  private readonly cells: Int32Array;
  private readonly stride: number;

  constructor(
    readonly seriesCount: number,
    readonly days: number,
  ) {
    this.stride = days + 1;
    this.cells = new Int32Array(seriesCount * this.stride);
  }

  /** Adds `delta` at day index `day` (0-based) of series `series`. */
  add(series: number, day: number, delta: number): void {
    const base = series * this.stride;
    for (let i = day + 1; i <= this.days; i += i & -i) this.cells[base + i]! += delta;
  }

  /** Sum of deltas at day indexes 0..day of series `series`. */
  prefixSum(series: number, day: number): number {
    const base = series * this.stride;
    let sum = 0;
    for (let i = day + 1; i > 0; i -= i & -i) sum += this.cells[base + i]!;
    return sum;
  }
}
