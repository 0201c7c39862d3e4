// Number formatting for people (the HTML report): shares as percentages and ratios to two decimals,
// counts with thousands separators. Full precision stays in JSON and CSV; these are for reading.
import { scaleLinear } from 'd3-scale';

export const DASH = '—';
type Num = number | null | undefined;

/** 12345 → "12,345"; non-integers keep `digits` decimals. Written out so output never depends on ICU. */
export function thousands(v: Num, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const [int, frac] = Math.abs(v).toFixed(digits).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${v < 0 && Number(v.toFixed(digits)) !== 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A share (0.21656) as a percentage with two decimals ("21.66%"). */
export const percent = (v: Num, digits = 2): string => (v === null || v === undefined ? DASH : `${(v * 100).toFixed(digits)}%`);

/** A change of a share in percentage points ("0.78 pp"). */
export const points = (v: Num, digits = 2): string => (v === null || v === undefined ? DASH : `${(v * 100).toFixed(digits)} pp`);

/** Integers as they are (grouped), anything else to two decimals (a ratio 1.6912 → "1.69"). */
export const decimal = (v: Num, digits = 2): string => (v === null || v === undefined ? DASH : thousands(v, Number.isInteger(v) ? 0 : digits));

export interface Axis {
  domain: [number, number];
  ticks: number[];
  format: (v: number) => string;
}

/**
 * A value axis at round steps: d3's nice() widens the domain to whole steps and tickFormat picks just
 * enough decimals for that step (27%, 28% …, never 27.1% / 30.2%).
 */
export function niceAxis(lo: number, hi: number, count: number, kind: 'percent' | 'number'): Axis {
  if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
  const scale = scaleLinear().domain([lo, hi]).nice(count);
  const [d0, d1] = scale.domain() as [number, number];
  return { domain: [d0, d1], ticks: scale.ticks(count), format: scale.tickFormat(count, kind === 'percent' ? '%' : ',f') };
}
