// `npm run preview -w @siliconalley/dashboards -- [--prometheus URL] [--out DIR]`: renders every
// board from a real Prometheus into PNG pictures for the README (Grafana cannot run here). Each
// panel runs its own queries (range queries over the last hour for time series, instant ones
// otherwise) and is drawn as inline SVG on the board's grid; headless Chromium takes the picture.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BOARDS } from './boards';
import type { BoardSpec, PanelSpec } from './model';
import { renderDashboard } from './render';

interface Series {
  label: string;
  points: [number, number][];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const PALETTE = ['#73bf69', '#5794f2', '#f2cc0c', '#ff9830', '#b877d9', '#f2495c', '#8ab8ff', '#96d98d'];

function legendOf(template: string | undefined, metric: Record<string, string>): string {
  if (!template || template === '__auto') {
    const labels = Object.entries(metric).filter(([k]) => k !== '__name__' && k !== 'service' && k !== 'instance' && k !== 'job' && metric[k] !== '');
    return labels.map(([, v]) => v).join(' ') || metric.__name__ || 'value';
  }
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => metric[k] ?? '');
}

async function runQueries(prometheus: string, panel: PanelSpec, timeseries: boolean): Promise<Series[]> {
  const out: Series[] = [];
  const end = Math.floor(Date.now() / 1000);
  for (const q of panel.queries) {
    const expr = q.expr.replace(/\$(zone|kind|industry)/g, '.*');
    const url = timeseries
      ? `${prometheus}/api/v1/query_range?${new URLSearchParams({ query: expr, start: String(end - 3600), end: String(end), step: '30' })}`
      : `${prometheus}/api/v1/query?${new URLSearchParams({ query: expr })}`;
    const body = (await (await fetch(url)).json()) as {
      data?: { result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] };
    };
    for (const r of body.data?.result ?? []) {
      const points = (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [t, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v));
      out.push({ label: legendOf(q.legend, r.metric), points });
    }
  }
  return out;
}

function format(v: number, unit: PanelSpec['unit'], decimals?: number): string {
  if (decimals !== undefined && unit !== 'percentunit') return v.toFixed(decimals);
  if (unit === 'percentunit') return `${(v * 100).toFixed(2)}%`;
  if (unit === 's') return v >= 3600 ? `${(v / 3600).toFixed(1)} h` : `${v.toFixed(v < 1 ? 3 : 1)} s`;
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toFixed(3);
}

function drawTimeseries(series: Series[], w: number, h: number, unit: PanelSpec['unit']): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<text x="${w / 2}" y="${h / 2}" class="nodata">No data</text>`;
  const [t0, t1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [v0, v1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (v0 === v1) [v0, v1] = [v0 - 1, v1 + 1];
  const pad = 40;
  const x = (t: number) => pad + ((t - t0) / Math.max(1, t1 - t0)) * (w - pad - 10);
  const y = (v: number) => h - 40 - ((v - v0) / (v1 - v0)) * (h - 60);
  const lines = series.map(
    (s, i) =>
      `<polyline fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="2" points="${s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`,
  );
  const legend = series.map((s, i) => `<tspan fill="${PALETTE[i % PALETTE.length]}">■</tspan> ${esc(s.label)}  `).join('');
  return `<text x="4" y="${y(v1) + 4}" class="axis">${format(v1, unit)}</text><text x="4" y="${y(v0)}" class="axis">${format(v0, unit)}</text>${lines.join('')}<text x="${pad}" y="${h - 12}" class="legend">${legend}</text>`;
}

function drawBars(series: Series[], w: number, h: number, unit: PanelSpec['unit']): string {
  const rows = series
    .map((s) => ({ label: s.label, v: s.points[s.points.length - 1]?.[1] ?? 0 }))
    .sort((a, b) => b.v - a.v)
    .slice(0, Math.floor((h - 10) / 18));
  if (rows.length === 0) return `<text x="${w / 2}" y="${h / 2}" class="nodata">No data</text>`;
  const max = Math.max(1e-9, ...rows.map((r) => r.v));
  return rows
    .map((r, i) => {
      const bw = Math.max(1, (r.v / max) * (w * 0.55));
      return `<text x="6" y="${14 + i * 18}" class="label">${esc(r.label)}</text><rect x="${w * 0.38}" y="${3 + i * 18}" width="${bw.toFixed(1)}" height="13" fill="${PALETTE[1]}"/><text x="${w * 0.38 + bw + 4}" y="${14 + i * 18}" class="label">${format(r.v, unit)}</text>`;
    })
    .join('');
}

function drawStat(series: Series[], w: number, h: number, unit: PanelSpec['unit'], decimals?: number): string {
  if (series.length === 0) return `<text x="${w / 2}" y="${h / 2}" class="nodata">No data</text>`;
  const values = series.map((s) => ({ label: s.label, v: s.points[s.points.length - 1]?.[1] }));
  const text = values.map((x) => (x.v === undefined ? '–' : format(x.v, unit, decimals))).join(' / ');
  return `<text x="${w / 2}" y="${h / 2 + 14}" class="stat">${esc(text)}</text>`;
}

async function boardHtml(prometheus: string, board: BoardSpec): Promise<string> {
  const json = renderDashboard(board);
  const specs = board.rows.flatMap((r) => r.panels);
  const cell = 62;
  const rowH = 34;
  let html = '';
  let specIndex = 0;
  for (const p of json.panels ?? []) {
    const g = p.gridPos!;
    const [left, top, width, height] = [g.x * cell, g.y * rowH, g.w * cell - 8, g.h * rowH - 8];
    if (p.type === 'row') {
      html += `<div class="row" style="left:${left}px;top:${top}px;width:${width}px">${esc(p.title ?? '')}</div>`;
      continue;
    }
    const spec = specs[specIndex++]!;
    const series = await runQueries(prometheus, spec, spec.kind === 'timeseries');
    const w = width;
    const h = height - 28;
    const svg =
      spec.kind === 'timeseries'
        ? drawTimeseries(series, w, h, spec.unit)
        : spec.kind === 'bargauge' || spec.kind === 'table'
          ? drawBars(series, w, h, spec.unit)
          : drawStat(series, w, h, spec.unit, spec.decimals);
    html += `<div class="panel" style="left:${left}px;top:${top}px;width:${width}px;height:${height}px"><div class="title">${esc(spec.title)}</div><svg width="${w}" height="${h}">${svg}</svg></div>`;
  }
  const totalH = Math.max(...(json.panels ?? []).map((p) => (p.gridPos!.y + p.gridPos!.h) * rowH)) + 60;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:13px sans-serif}
h1{font-size:18px;margin:12px 16px}
.board{position:relative;margin:0 16px;height:${totalH}px}
.panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px}
.title{padding:6px 8px;font-weight:600}
.row{position:absolute;font-weight:600;font-size:14px;color:#fff}
.axis,.legend,.label{fill:#ccccdc;font-size:11px}.stat{fill:#73bf69;font-size:30px;font-weight:600;text-anchor:middle}
.nodata{fill:#777;text-anchor:middle}
</style></head><body><h1>${esc(board.title)}</h1><div class="board">${html}</div></body></html>`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prometheus: { type: 'string', default: 'http://127.0.0.1:9090' },
      out: { type: 'string', default: resolve(__dirname, '../../../docs/dashboards') },
    },
  });
  const out = values.out!;
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'sa-preview-'));
  for (const board of BOARDS) {
    const page = join(work, `${board.uid}.html`);
    writeFileSync(page, await boardHtml(values.prometheus!, board));
    const png = join(out, `${board.uid}.png`);
    execFileSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        `--user-data-dir=${join(work, 'profile')}`,
        `--screenshot=${png}`,
        '--window-size=1520,1000',
        `file://${page}`,
      ],
      { stdio: 'ignore' },
    );
    process.stdout.write(`wrote ${png}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`preview failed: ${(err as Error).message}\n`);
  process.exit(1);
});
