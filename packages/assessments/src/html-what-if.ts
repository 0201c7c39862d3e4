// The report's what-if (kpis.md "What-if (v1)"): each target at its due date on the stored events
// alone and if the pending certifications of the action lists came through.
import type { TargetJudgement } from '@siliconalley/targets';
import type { Assessment } from './content';
import { thousands } from './format';
import { both, statusClass, statusLabel, targetValue, th } from './html-common';
import { WHAT_IF_LABELS, labelOrId } from './labels';
import { esc } from './svg';

const h2 = (extra = '') => `<h2>情景推演 <span class="en">What-if</span>${extra}</h2>`;

/** Status and actual of one target in one column group; bold when it differs from the baseline's status. */
function cells(t: TargetJudgement | undefined, baseline?: TargetJudgement): string {
  if (!t) return '<td>—</td><td class="n">—</td>';
  const changed = baseline !== undefined && baseline.status !== t.status ? ' changed' : '';
  return `<td class="${statusClass(t)}${changed}">${both(statusLabel(t))}</td><td class="n">${targetValue(t, t.actual)}</td>`;
}

export function whatIfSection(a: Assessment): string {
  if (a.whatIf === undefined)
    return `<section id="what-if">${h2()}<p class="empty">本版本早于情景推演功能。<span class="en">This version predates what-if.</span></p></section>`;
  if (a.whatIf === null) return `<section id="what-if">${h2()}<p class="empty">无 <span class="en">None.</span></p></section>`;
  const w = a.whatIf;
  const scenarios = w.scenarios.map((s) => ({ ...s, label: labelOrId(WHAT_IF_LABELS, s.id), byId: new Map(s.targets.map((t) => [t.id, t])) }));
  const groupHead = scenarios
    .map(
      (s) =>
        `<th colspan="2" data-scenario="${esc(s.id)}">${both(s.label)}<br><span class="events">${thousands(s.events)} 条假设事件 <span class="en">hypothetical events</span></span></th>`,
    )
    .join('');
  const subHead = [
    { zh: '状态', en: 'Status' },
    { zh: '实际', en: 'Actual' },
  ];
  const rows = w.baseline.map(
    (b) =>
      `<tr><td>${esc(b.id)}</td><td class="n">${targetValue(b, b.target)}</td>${cells(b)}${scenarios.map((s) => cells(s.byId.get(b.id), b)).join('')}</tr>`,
  );
  return `<section id="what-if">${h2(` — ${esc(w.asOf)}`)}
<p class="meta">在 ${esc(w.asOf)}（核心目标到期日）判断：仅按已存储事件（基线），以及假设行动清单中的企业全部通过认定。假设事件只在内存中计算，不存储、不计入指标。<span class="en">Judged on ${esc(w.asOf)} (the headline target's due date): on the stored events alone (baseline), and as if the firms of the action lists were all certified. Hypothetical events are applied in memory only; nothing is stored or counted.</span></p>
<table class="what-if"><thead><tr><th rowspan="2">目标<br><span class="en">Target</span></th><th rowspan="2">目标值<br><span class="en">Target value</span></th><th colspan="2">基线 <span class="en">Baseline</span><br><span class="events">仅已存储事件 <span class="en">stored events only</span></span></th>${groupHead}</tr>
<tr>${[subHead, ...scenarios.map(() => subHead)].flat().map(th).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}
