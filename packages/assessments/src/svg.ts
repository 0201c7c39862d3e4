// Small inline SVG charts for the HTML report: no scripts, no external resources, so that a report
// can be mailed, archived and printed as it is.
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const DAY_MS = 86_400_000;
const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY_MS;
const fmt = (v: number, digits: number) => (Number.isInteger(v) && digits === 0 ? String(v) : v.toFixed(digits));

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
  format?: (v: number) => string;
}

const W = 720;
const H = 300;
const M = { top: 24, right: 150, bottom: 36, left: 64 };

function niceRange(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.08;
  return [Math.max(0, lo - pad), hi + pad];
}

export function lineChart(o: LineChartOptions): string {
  const format = o.format ?? ((v: number) => fmt(v, 2));
  const all = [...o.series.flatMap((s) => s.points.map((p) => p.value)), ...(o.levels ?? []).map((l) => l.value)];
  if (all.length === 0) return `<p class="empty">${esc(o.title)}: 无数据 / no data</p>`;
  const [y0, y1] = niceRange(all);
  const [x0, x1] = [dayNumber(o.from), dayNumber(o.to)];
  const sx = (d: string) => M.left + ((dayNumber(d) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = y0 + ((y1 - y0) * i) / 4;
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(v).toFixed(1)}" y2="${sy(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${esc(format(v))}</text>`);
  }
  for (let y = Number(o.from.slice(0, 4)); y <= Number(o.to.slice(0, 4)); y++) {
    const d = `${y}-01-01`;
    if (d < o.from || d > o.to) continue;
    parts.push(`<line x1="${sx(d).toFixed(1)}" x2="${sx(d).toFixed(1)}" y1="${M.top}" y2="${H - M.bottom}" class="grid"/>`);
    parts.push(`<text x="${sx(d).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${y}</text>`);
  }
  for (const l of o.levels ?? []) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(l.value).toFixed(1)}" y2="${sy(l.value).toFixed(1)}" stroke="${l.color}" stroke-width="1.5" stroke-dasharray="2 3" data-series="${esc(l.name)}"/>`);
  }
  o.series.forEach((s) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.date).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} data-series="${esc(s.name)}"/>`);
    if (!s.dashed) for (const p of s.points) parts.push(`<circle cx="${sx(p.date).toFixed(1)}" cy="${sy(p.value).toFixed(1)}" r="2.6" fill="${s.color}"/>`);
  });
  const legend = [...o.series.map((s) => ({ name: s.name, color: s.color, dashed: s.dashed ?? false })), ...(o.levels ?? []).map((l) => ({ name: l.name, color: l.color, dashed: true }))];
  legend.forEach((l, i) => {
    const y = M.top + 8 + i * 20;
    parts.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 34}" y1="${y}" y2="${y}" stroke="${l.color}" stroke-width="2.2"${l.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text x="${W - M.right + 40}" y="${y + 4}" class="legend">${esc(l.name)}</text>`);
  });
  return `<svg class="chart" data-chart="${esc(o.id)}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

export interface BarGroup {
  label: string;
  values: number[];
}

export function barChart(o: { id: string; title: string; seriesNames: string[]; colors: string[]; groups: BarGroup[] }): string {
  if (o.groups.length === 0) return `<p class="empty">${esc(o.title)}: 无数据 / no data</p>`;
  const rowH = 16 * o.seriesNames.length + 10;
  const left = 190;
  const width = 720;
  const height = 30 + o.groups.length * rowH;
  const max = Math.max(1, ...o.groups.flatMap((g) => g.values));
  const scale = (v: number) => (v / max) * (width - left - 70);
  const parts: string[] = [];
  o.seriesNames.forEach((name, i) => {
    parts.push(`<rect x="${left + i * 170}" y="4" width="12" height="12" fill="${o.colors[i]}"/><text x="${left + i * 170 + 18}" y="14" class="legend">${esc(name)}</text>`);
  });
  o.groups.forEach((g, gi) => {
    const y = 26 + gi * rowH;
    parts.push(`<text x="${left - 8}" y="${y + rowH / 2}" text-anchor="end" class="tick">${esc(g.label)}</text>`);
    g.values.forEach((v, si) => {
      const by = y + 2 + si * 16;
      parts.push(`<rect x="${left}" y="${by}" width="${Math.max(v > 0 ? 1 : 0, scale(v)).toFixed(1)}" height="13" fill="${o.colors[si]}" data-value="${v}"/>`);
      parts.push(`<text x="${(left + scale(v) + 4).toFixed(1)}" y="${by + 11}" class="tick">${v}</text>`);
    });
  });
  return `<svg class="chart" data-chart="${esc(o.id)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
