// The report's action lists (kpis.md "Action lists (v1)"): the named firms that move the headline
// share. Long lists are cut so that the report stays printable; the CSV has every row the version
// kept (the first 1,000 of each list), and the API the whole list on the current data.
import { wholeLength, wholeListPath, type Assessment } from './content';
import { thousands } from './format';
import { both, th } from './html-common';
import { ACTION_LIST_LABELS, INDUSTRY_LABELS, KIND_LABELS, labelOrId, scopeLabel, type Label } from './labels';
import { esc } from './svg';

/** Rows shown per list; the rest of the rows kept is in `?format=csv&part=actions`. */
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

/**
 * One list: heading with its whole length, the first rows, and where the rest is: the CSV for the
 * rows the version kept, the API for a list the version cut (longer than the rows kept).
 */
function listTable<T>(label: Label, entries: readonly T[], whole: number, wholeList: string, head: Label[], cells: (e: T) => Cell[]): string {
  const title = `<h3>${both(label)}（${thousands(whole)}）</h3>`;
  if (whole === 0) return `${title}<p class="empty">无 <span class="en">none</span></p>`;
  const rows = entries.slice(0, ACTION_ROWS_SHOWN).map((e) => `<tr>${cells(e).map(td).join('')}</tr>`);
  const inCsv = entries.length - rows.length;
  const kept = thousands(entries.length);
  let more = '';
  if (whole > entries.length) {
    const [zh, en] =
      inCsv > 0
        ? [
            `… 另有 ${thousands(inCsv)} 家见 CSV（?format=csv&amp;part=actions）；`,
            `… and ${thousands(inCsv)} more in the CSV (?format=csv&amp;part=actions); `,
          ]
        : ['… ', '… '];
    more = `<p class="more">${zh}本评估只保留前 ${kept} 家（共 ${thousands(whole)} 家），完整清单（按当前数据）见 API：<span class="en">${en}the first ${kept} of ${thousands(whole)} are kept in this assessment; the whole list, on today's data:</span><br><code>${esc(wholeList)}</code></p>`;
  } else if (inCsv > 0) {
    more = `<p class="more">… 另有 ${thousands(inCsv)} 家，见 CSV <span class="en">… and ${thousands(inCsv)} more (see the CSV: ?format=csv&amp;part=actions)</span></p>`;
  }
  const table = rows.length > 0 ? `<table class="actions"><thead><tr>${head.map(th).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>` : '';
  return `${title}${table}${more}`;
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
  const path = wholeListPath(l, a.asOf);
  const renewals = listTable(
    ACTION_LIST_LABELS.renewalsDue,
    l.renewalsDue,
    wholeLength(l, 'renewalsDue'),
    path,
    [H.uscc, H.name, H.industry, H.zones, H.lapsesOn, H.certificates],
    (e) => [
      `<code>${esc(e.uscc)}</code>`,
      esc(e.name),
      industry(e.focusIndustry),
      zoneList(e.zones, zones),
      { n: esc(e.lapsesOn) },
      e.certificates.map((c) => `${kindZh(c.kind)} <code>${esc(c.certificateNo)}</code> <span class="en">至 ${esc(c.validUntil)}</span>`).join('<br>'),
    ],
  );
  const relocation = listTable(
    ACTION_LIST_LABELS.relocationCandidates,
    l.relocationCandidates,
    wholeLength(l, 'relocationCandidates'),
    path,
    [H.uscc, H.name, H.industry, H.distance, H.kinds],
    (e) => [
      `<code>${esc(e.uscc)}</code>`,
      esc(e.name),
      industry(e.focusIndustry),
      { n: e.distanceMeters === null ? '未定位 <span class="en">unlocated</span>' : thousands(e.distanceMeters) },
      e.kinds.map(kindZh).join('、'),
    ],
  );
  const nextTier = listTable(
    ACTION_LIST_LABELS.nextTier,
    l.nextTier,
    wholeLength(l, 'nextTier'),
    path,
    [H.uscc, H.name, H.industry, H.certificateNo, H.validUntil],
    (e) => [`<code>${esc(e.uscc)}</code>`, esc(e.name), industry(e.focusIndustry), `<code>${esc(e.certificateNo)}</code>`, { n: esc(e.validUntil) }],
  );
  return `<section id="actions">${h2(` — ${esc(l.target)} · ${esc(zone.zh)} · ${thousands(l.within)} 天 <span class="en">days</span>`)}${intro}${renewals}${relocation}${nextTier}</section>`;
}
