// The report's action lists (kpis.md "Action lists (v1)"): the named firms that move the headline
// share. Long lists are cut so that the report stays printable; the CSV has every row.
import type { Assessment } from './content';
import { thousands } from './format';
import { both, th } from './html-common';
import { ACTION_LIST_LABELS, INDUSTRY_LABELS, KIND_LABELS, labelOrId, scopeLabel, type Label } from './labels';
import { esc } from './svg';

/** Rows shown per list; the rest is in `?format=csv&part=actions`. */
export const ACTION_ROWS_SHOWN = 50;

type Zones = Readonly<Record<string, Label>>;

const H = {
  uscc: { zh: '统一社会信用代码', en: 'USCC' },
  name: { zh: '企业名称', en: 'Name' },
  industry: { zh: '产业', en: 'Industry' },
  zones: { zh: '所在园区', en: 'Zones' },
  lapsesOn: { zh: '失效日', en: 'Lapses on' },
  certificates: { zh: '到期证书', en: 'Certificates' },
  distance: { zh: '距园区边界（米）', en: 'Distance to zone (m)' },
  kinds: { zh: '认定类别', en: 'Kinds held' },
  certificateNo: { zh: '创新型中小企业证书', en: 'Innovative SME certificate' },
  validUntil: { zh: '有效期至', en: 'Valid until' },
};

const industry = (i: string | null) => (i === null ? '—' : both(labelOrId(INDUSTRY_LABELS, i)));
const zoneList = (ids: readonly string[], zones: Zones) =>
  ids.length === 0 ? '—' : ids.map((z) => `${esc(scopeLabel(`zone:${z}`, zones).zh)} <span class="en">${esc(z)}</span>`).join('<br>');
const kindZh = (k: string) => esc(labelOrId(KIND_LABELS, k).zh);

/** A cell's HTML; `{ n }` for a right-aligned figure. */
type Cell = string | { n: string };
const td = (c: Cell) => (typeof c === 'string' ? `<td>${c}</td>` : `<td class="n">${c.n}</td>`);

/** One list: heading with its count, the first rows, and a pointer to the CSV for the rest. */
function listTable<T>(label: Label, entries: readonly T[], head: Label[], cells: (e: T) => Cell[]): string {
  const title = `<h3>${both(label)}（${thousands(entries.length)}）</h3>`;
  if (entries.length === 0) return `${title}<p class="empty">无 <span class="en">none</span></p>`;
  const rows = entries.slice(0, ACTION_ROWS_SHOWN).map((e) => `<tr>${cells(e).map(td).join('')}</tr>`);
  const rest = entries.length - ACTION_ROWS_SHOWN;
  const more =
    rest > 0
      ? `<p class="more">… 另有 ${thousands(rest)} 家，见 CSV <span class="en">… and ${thousands(rest)} more (see the CSV: ?format=csv&amp;part=actions)</span></p>`
      : '';
  return `${title}<table class="actions"><thead><tr>${head.map(th).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

export function actionsSection(a: Assessment, zones: Zones = {}): string {
  const h2 = (extra = '') => `<h2>行动清单 <span class="en">Action lists</span>${extra}</h2>`;
  if (a.actions === undefined)
    return `<section id="actions">${h2()}<p class="empty">本版本早于行动清单功能。<span class="en">This version predates action lists.</span></p></section>`;
  if (a.actions === null)
    return `<section id="actions">${h2()}<p class="empty">无（没有园区占比目标）<span class="en">None (no zone-share target).</span></p></section>`;
  const l = a.actions;
  const zone = scopeLabel(`zone:${l.zone}`, zones);
  const intro = `<p class="meta">目标 <span class="en">Target</span> <strong>${esc(l.target)}</strong> · 园区 <span class="en">zone</span> ${esc(zone.zh)} (${esc(l.zone)}) · 截至 <span class="en">as of</span> ${esc(a.asOf)} · 复审窗口 <span class="en">window</span> ${thousands(l.within)} 天 <span class="en">days</span></p>`;
  const renewals = listTable(ACTION_LIST_LABELS.renewalsDue, l.renewalsDue, [H.uscc, H.name, H.industry, H.zones, H.lapsesOn, H.certificates], (e) => [
    `<code>${esc(e.uscc)}</code>`,
    esc(e.name),
    industry(e.focusIndustry),
    zoneList(e.zones, zones),
    { n: esc(e.lapsesOn) },
    e.certificates.map((c) => `${kindZh(c.kind)} <code>${esc(c.certificateNo)}</code> <span class="en">至 ${esc(c.validUntil)}</span>`).join('<br>'),
  ]);
  const relocation = listTable(ACTION_LIST_LABELS.relocationCandidates, l.relocationCandidates, [H.uscc, H.name, H.industry, H.distance, H.kinds], (e) => [
    `<code>${esc(e.uscc)}</code>`,
    esc(e.name),
    industry(e.focusIndustry),
    { n: e.distanceMeters === null ? '未定位 <span class="en">unlocated</span>' : thousands(e.distanceMeters) },
    e.kinds.map(kindZh).join('、'),
  ]);
  const nextTier = listTable(ACTION_LIST_LABELS.nextTier, l.nextTier, [H.uscc, H.name, H.industry, H.certificateNo, H.validUntil], (e) => [
    `<code>${esc(e.uscc)}</code>`,
    esc(e.name),
    industry(e.focusIndustry),
    `<code>${esc(e.certificateNo)}</code>`,
    { n: esc(e.validUntil) },
  ]);
  return `<section id="actions">${h2(` — ${esc(l.target)} · ${esc(zone.zh)} · ${thousands(l.within)} 天 <span class="en">days</span>`)}${intro}${renewals}${relocation}${nextTier}</section>`;
}
