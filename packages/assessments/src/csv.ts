// The KPI table as CSV (api.md): UTF-8 with a byte-order mark, so that spreadsheet programs open the
// Chinese labels correctly; one KPI entry per row; RFC 4180 quoting; CRLF line ends.
import type { ActionLists } from '@siliconalley/kpi-engine';
import type { Assessment } from './content';
import { INDUSTRY_LABELS, KIND_LABELS, KPI_LABELS, labelOrId, scopeLabel, type Label } from './labels';

const BOM = '\uFEFF';

const HEADER = [
  'period',
  'as_of',
  'version',
  'kpi',
  '指标',
  'indicator',
  'scope',
  '范围',
  'scope_name',
  'kind',
  '认定类别',
  'kind_name',
  'industry',
  '产业',
  'industry_name',
  'within_days',
  'value',
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
      a.period,
      a.asOf,
      a.version,
      k.id,
      kpi.zh,
      kpi.en,
      k.scope,
      scope.zh,
      scope.en,
      k.kind ?? '',
      kind?.zh ?? '',
      kind?.en ?? '',
      k.industry ?? '',
      industry?.zh ?? '',
      industry?.en ?? '',
      k.within ?? null,
      k.value,
    ]);
  }
  return `${BOM + rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

const ACTION_HEADER = [
  'list',
  'uscc',
  'name',
  'focus_industry',
  'zones',
  'lapses_on',
  'certificates',
  'distance_meters',
  'kinds',
  'certificate_no',
  'valid_until',
];

/**
 * Action lists (api.md "Action lists and what-if") as CSV: one row per entry with a `list` column
 * (renewals_due, relocation_candidates, next_tier), in the lists' order; zones and kinds joined with
 * `;`, certificates as `kind:certificateNo:validUntil` joined with `;`. UTF-8 with BOM, CRLF.
 * Exactly the entries given, and no note rows: for an assessment, the rows it kept (the first 1,000
 * of each list; its `actions.lengths` and the HTML say which lists were longer).
 */
export function renderActionListsCsv(lists: ActionLists): string {
  const rows: (string | number | null)[][] = [ACTION_HEADER];
  for (const e of lists.renewalsDue) {
    const certificates = e.certificates.map((c) => `${c.kind}:${c.certificateNo}:${c.validUntil}`).join(';');
    rows.push(['renewals_due', e.uscc, e.name, e.focusIndustry, e.zones.join(';'), e.lapsesOn, certificates, null, null, null, null]);
  }
  for (const e of lists.relocationCandidates) {
    rows.push(['relocation_candidates', e.uscc, e.name, e.focusIndustry, e.zones.join(';'), null, null, e.distanceMeters, e.kinds.join(';'), null, null]);
  }
  for (const e of lists.nextTier) {
    rows.push(['next_tier', e.uscc, e.name, e.focusIndustry, e.zones.join(';'), null, null, null, null, e.certificateNo, e.validUntil]);
  }
  return `${BOM + rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}
