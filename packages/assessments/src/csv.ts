// The KPI table as CSV (api.md): UTF-8 with a byte-order mark, so that spreadsheet programs open the
// Chinese labels correctly; one KPI entry per row; RFC 4180 quoting; CRLF line ends.
import type { Assessment } from './content';
import { INDUSTRY_LABELS, KIND_LABELS, KPI_LABELS, labelOrId, scopeLabel, type Label } from './labels';

const BOM = '\uFEFF';

const HEADER = [
  'period', 'as_of', 'version', 'kpi', '指标', 'indicator', 'scope', '范围', 'scope_name',
  'kind', '认定类别', 'kind_name', 'industry', '产业', 'industry_name', 'within_days', 'value',
];

function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Leading = + - @ would be run as formulas by spreadsheet programs (CSV injection).
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(a: Assessment, zoneNames: Readonly<Record<string, Label>> = {}): string {
  const rows: (string | number | null)[][] = [HEADER];
  for (const k of a.kpis) {
    const kpi = labelOrId(KPI_LABELS, k.id);
    const scope = scopeLabel(k.scope, zoneNames);
    const kind = k.kind ? labelOrId(KIND_LABELS, k.kind) : null;
    const industry = k.industry ? labelOrId(INDUSTRY_LABELS, k.industry) : null;
    rows.push([
      a.period, a.asOf, a.version, k.id, kpi.zh, kpi.en, k.scope, scope.zh, scope.en,
      k.kind ?? '', kind?.zh ?? '', kind?.en ?? '', k.industry ?? '', industry?.zh ?? '', industry?.en ?? '',
      k.within ?? null, k.value,
    ]);
  }
  return BOM + rows.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
