// The restatement box: which numbers a later version changed and which late events did it. Values are
// shown as elsewhere in the report (21.66%, 1.69); the exact stored value is in the cell's tooltip.
import type { Assessment, NumberChange } from './content';
import { DASH, decimal, percent, points } from './format';
import { esc } from './svg';

type Leaf = NumberChange['from'];

/** Target fields that hold a value of the target's KPI (a share when the KPI is one). */
const VALUE_FIELDS = new Set(['baseline', 'target', 'actual', 'expected', 'forecast']);

/** How a changed number reads, decided by its key (content.ts `assessedNumbers`). */
export function changeValue(key: string, v: Leaf, shareTargets: ReadonlySet<string>): string {
  if (v === null) return DASH;
  if (typeof v !== 'number') return esc(String(v));
  const [head, id = '', field = ''] = key.split('/');
  let text: string;
  if (head === 'kpi' && id === 'zone_share') text = percent(v);
  else if (head === 'target' && shareTargets.has(id) && VALUE_FIELDS.has(field)) text = percent(v);
  else if (head === 'target' && shareTargets.has(id) && field === 'gapToPath') text = points(v);
  else if (head === 'decomposition' && ['delta', 'numeratorEffect', 'denominatorEffect'].includes(field)) text = points(v);
  else text = decimal(v);
  return Number.isInteger(v) ? text : `<span title="${v}">${text}</span>`;
}

export function restatementSection(a: Assessment): string {
  if (!a.restatement) return '';
  const r = a.restatement;
  const shares = new Set(a.targets.filter((t) => t.kpi === 'zone_share').map((t) => t.id));
  const changes = r.changes
    .map(
      (c) =>
        `<tr><td><code>${esc(c.key)}</code></td><td class="n">${changeValue(c.key, c.from, shares)}</td><td class="n">${changeValue(c.key, c.to, shares)}</td></tr>`,
    )
    .join('');
  const causes = r.causes
    .map(
      (c) =>
        `<tr><td><code>${esc(c.type)}</code></td><td><code>${esc(c.source)}</code></td><td class="n">${c.events}</td><td><code>${esc(c.examples.join(', '))}</code></td></tr>`,
    )
    .join('');
  return `<section class="restatement"><h2>更正说明 <span class="en">Restatement</span></h2>
<p>本版本（第 ${a.version} 版）更正第 ${r.previousVersion} 版：后到事件改变了以下数值。<span class="en">Version ${a.version} restates version ${r.previousVersion}: events that arrived later changed these numbers. Earlier versions stay readable.</span></p>
<table><thead><tr><th>数值 <span class="en">Number</span></th><th>原值 <span class="en">Was</span></th><th>新值 <span class="en">Now</span></th></tr></thead><tbody>${changes}</tbody></table>
<h3>原因 <span class="en">Why</span></h3>
<table><thead><tr><th>事件类型 <span class="en">Event type</span></th><th>数据提供方 <span class="en">Provider</span></th><th>事件数 <span class="en">Events</span></th><th>示例 <span class="en">Examples</span></th></tr></thead><tbody>${causes || '<tr><td colspan="4">—</td></tr>'}</tbody></table></section>`;
}
