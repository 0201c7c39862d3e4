/** A point of a KPI series: x in days since the baseline date. */
export interface SeriesPoint {
  x: number;
  y: number;
}

/**
 * Ordinary least squares line y = a + b·x through the points, read at `x`. Null with fewer than
 * three points (kpis.md "forecast F").
 */
export function olsForecast(points: readonly SeriesPoint[], x: number): number | null {
  const n = points.length;
  if (n < 3) return null;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - meanX) * (p.y - meanY);
    sxx += (p.x - meanX) ** 2;
  }
  const slope = sxy / sxx;
  return meanY - slope * meanX + slope * x;
}
