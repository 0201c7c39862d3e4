// Small inline SVG charts for the HTML report: no scripts, no external resources, so that a report
// can be mailed, archived and printed as it is.
import { dayNumber } from '@siliconalley/contract';
import { niceAxis, thousands } from './format';

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const px = (v: number) => v.toFixed(1);

/** Font size of tick and legend text (the report's CSS says the same). */
export const FONT_PX = 11;

// CJK ideographs, kana, hangul, full-width forms and CJK punctuation (curly quotes included: CJK
// fonts draw them full-width) take about 1 em; Latin letters and digits about 0.6 em.
const WIDE = /[\u1100-\u11ff\u2018-\u201d\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/u;

/** Estimated rendered width of a text; errs on the wide side so that laid-out items never touch. */
export function textWidth(text: string, fontPx = FONT_PX): number {
  let em = 0;
  for (const ch of text) em += WIDE.test(ch) ? 1 : 0.6;
  return em * fontPx;
}

export interface LegendItem {
  name: string;
  color: string;
  /** `line` for line series (dashed when asked), `box` for bars. */
  mark: 'line' | 'box';
  dashed?: boolean;
}

const ROW_H = 18;
const ITEM_GAP = 18;

/** Legend items flowed left to right, wrapping to a new row when the next one would pass `maxWidth`. */
function legend(items: readonly LegendItem[], x0: number, y0: number, maxWidth: number): { svg: string; height: number } {
  const parts: string[] = [];
  let [x, row] = [x0, 0];
  for (const item of items) {
    const markW = item.mark === 'line' ? 24 : 12;
    const w = markW + 6 + textWidth(item.name);
    if (x > x0 && x + w > x0 + maxWidth) [x, row] = [x0, row + 1];
    const y = y0 + row * ROW_H;
    const mark =
      item.mark === 'line'
        ? `<line x1="${px(x)}" x2="${px(x + markW)}" y1="${y + 7}" y2="${y + 7}" stroke="${item.color}" stroke-width="2.2"${item.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
        : `<rect x="${px(x)}" y="${y + 1}" width="12" height="12" fill="${item.color}"/>`;
    parts.push(
      `<g class="legend-item" data-box="${px(x)} ${y} ${px(w)} 14">${mark}<text x="${px(x + markW + 6)}" y="${y + 11}" class="legend">${esc(item.name)}</text></g>`,
    );
    x += w + ITEM_GAP;
  }
  return { svg: parts.join(''), height: items.length === 0 ? 0 : (row + 1) * ROW_H };
}

export interface LineSeries {
  name: string;
  color: string;
  dashed?: boolean;
  points: { date: string; value: number }[];
}

export interface LineChartOptions {
  id: string;
  title: string;
  from: string;
  to: string;
  series: LineSeries[];
  /** Horizontal reference lines (e.g. the target value). */
  levels?: { name: string; value: number; color: string }[];
  /** `percent` for shares: the axis reads 20%, 25%, 30%. */
  axis?: 'percent' | 'number';
}

const W = 720;
const M = { top: 10, right: 20, bottom: 30, left: 64 };
const PLOT_H = 230;

function svgOpen(id: string, title: string, width: number, height: number): string {
  return `<svg class="chart" data-chart="${esc(id)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">`;
}

export function lineChart(o: LineChartOptions): string {
  const all = [...o.series.flatMap((s) => s.points.map((p) => p.value)), ...(o.levels ?? []).map((l) => l.value)];
  if (all.length === 0) return `<p class="empty">${esc(o.title)}: 无数据 / no data</p>`;
  const items: LegendItem[] = [
    ...o.series.map((s) => ({ name: s.name, color: s.color, mark: 'line' as const, dashed: s.dashed ?? false })),
    ...(o.levels ?? []).map((l) => ({ name: l.name, color: l.color, mark: 'line' as const, dashed: true })),
  ];
  const key = legend(items, M.left, M.top, W - M.left - M.right);
  const top = M.top + key.height + 12;
  const H = top + PLOT_H + M.bottom;
  const axis = niceAxis(Math.min(...all), Math.max(...all), 5, o.axis ?? 'number');
  const [y0, y1] = axis.domain;
  const [x0, x1] = [dayNumber(o.from), dayNumber(o.to)];
  const sx = (d: string) => M.left + ((dayNumber(d) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const sy = (v: number) => top + PLOT_H - ((v - y0) / (y1 - y0)) * PLOT_H;
  const parts: string[] = [key.svg];
  for (const v of axis.ticks) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${px(sy(v))}" y2="${px(sy(v))}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${px(sy(v) + 4)}" text-anchor="end" class="tick" data-axis="y">${esc(axis.format(v))}</text>`);
  }
  for (let y = Number(o.from.slice(0, 4)); y <= Number(o.to.slice(0, 4)); y++) {
    const d = `${y}-01-01`;
    if (d < o.from || d > o.to) continue;
    parts.push(`<line x1="${px(sx(d))}" x2="${px(sx(d))}" y1="${top}" y2="${top + PLOT_H}" class="grid"/>`);
    parts.push(`<text x="${px(sx(d))}" y="${top + PLOT_H + 16}" text-anchor="middle" class="tick" data-axis="x">${y}</text>`);
  }
  for (const l of o.levels ?? []) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${px(sy(l.value))}" y2="${px(sy(l.value))}" stroke="${l.color}" stroke-width="1.5" stroke-dasharray="2 3" data-series="${esc(l.name)}"/>`,
    );
  }
  for (const s of o.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(sx(p.date))},${px(sy(p.value))}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} data-series="${esc(s.name)}"/>`);
    if (!s.dashed) for (const p of s.points) parts.push(`<circle cx="${px(sx(p.date))}" cy="${px(sy(p.value))}" r="2.6" fill="${s.color}"/>`);
  }
  return `${svgOpen(o.id, o.title, W, H)}${parts.join('')}</svg>`;
}

export interface BarGroup {
  label: string;
  values: number[];
}

export interface BarChartOptions {
  id: string;
  title: string;
  seriesNames: string[];
  colors: string[];
  groups: BarGroup[];
}

/** Horizontal grouped bars of counts, with a count axis at whole round steps below. */
export function barChart(o: BarChartOptions): string {
  if (o.groups.length === 0) return `<p class="empty">${esc(o.title)}: 无数据 / no data</p>`;
  const barH = 13;
  const rowH = (barH + 3) * o.seriesNames.length + 10;
  // The label column is as wide as the longest group label needs (within reason).
  const left = Math.round(Math.min(280, Math.max(80, ...o.groups.map((g) => textWidth(g.label) + 16))));
  const plotW = W - left - 70;
  const key = legend(
    o.seriesNames.map((name, i) => ({ name, color: o.colors[i]!, mark: 'box' as const })),
    left,
    4,
    W - left - 10,
  );
  const top = 4 + key.height + 8;
  const plotH = o.groups.length * rowH;
  const height = top + plotH + 24;
  const axis = niceAxis(0, Math.max(1, ...o.groups.flatMap((g) => g.values)), 5, 'number');
  const scale = (v: number) => (v / axis.domain[1]) * plotW;
  const parts: string[] = [key.svg];
  for (const t of axis.ticks.filter((t) => Number.isInteger(t))) {
    parts.push(`<line x1="${px(left + scale(t))}" x2="${px(left + scale(t))}" y1="${top}" y2="${top + plotH}" class="grid"/>`);
    parts.push(`<text x="${px(left + scale(t))}" y="${top + plotH + 14}" text-anchor="middle" class="tick" data-axis="x">${esc(axis.format(t))}</text>`);
  }
  o.groups.forEach((g, gi) => {
    const y = top + gi * rowH;
    parts.push(`<text x="${left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end" class="tick">${esc(g.label)}</text>`);
    g.values.forEach((v, si) => {
      const by = y + 4 + si * (barH + 3);
      parts.push(`<rect x="${left}" y="${by}" width="${px(Math.max(v > 0 ? 1 : 0, scale(v)))}" height="${barH}" fill="${o.colors[si]}" data-value="${v}"/>`);
      parts.push(`<text x="${px(left + scale(v) + 4)}" y="${by + 11}" class="tick">${thousands(v)}</text>`);
    });
  });
  return `${svgOpen(o.id, o.title, W, height)}${parts.join('')}</svg>`;
}
