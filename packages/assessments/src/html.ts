// The report for people (api.md, issue #7): Chinese first with English beside, self-contained (inline
// SVG, inline CSS, no scripts, no external fonts), printable. Everything shown comes from the stored
// assessment, so a version renders the same today and in five years.
import type { KpiEntry } from '@siliconalley/kpi-engine';
import type { Assessment } from './content';
import { DASH, decimal, percent, points, thousands } from './format';
import { actionsSection } from './html-actions';
import { both, isShare, statusClass, statusLabel, targetValue } from './html-common';
import { restatementSection } from './html-restatement';
import { whatIfSection } from './html-what-if';
import { INDUSTRY_LABELS, KIND_LABELS, KPI_LABELS, PERIOD_KIND_LABELS, STATUS_LABELS, TASK_STATUS_LABELS, labelOrId, scopeLabel, type Label } from './labels';
import { barChart, esc, lineChart } from './svg';

export interface HtmlOptions {
  zoneNames?: Readonly<Record<string, Label>>;
  /** The zone of the headline target (charts by industry show it beside the district). */
  headlineScope?: string;
}

function kpiValue(kpis: readonly KpiEntry[], id: string, scope: string, extra: { kind?: string; industry?: string; within?: number } = {}): number | null {
  const k = kpis.find((e) => e.id === id && e.scope === scope && e.kind === extra.kind && e.industry === extra.industry && e.within === extra.within);
  return k ? k.value : null;
}

function headlineChart(a: Assessment): string {
  const t = a.targets.find((x) => x.id === a.headlinePath?.target);
  if (!t || !a.headlinePath || t.baseline === null || t.target === null) return '';
  const actual = a.headlinePath.points.filter((p) => p.value !== null).map((p) => ({ date: p.asOf, value: p.value! }));
  const series = [
    { name: '实际 Actual', color: '#1f5fbf', points: actual },
    {
      name: '直线路径 Straight path',
      color: '#7a7a7a',
      dashed: true,
      points: [
        { date: t.baselineDate, value: t.baseline },
        { date: t.due, value: t.target },
      ],
    },
  ];
  const last = actual[actual.length - 1];
  if (t.forecast !== null && last) series.push({ name: '预测 Forecast', color: '#d9822b', dashed: true, points: [last, { date: t.due, value: t.forecast }] });
  return lineChart({
    id: 'headline',
    title: `${t.id}: ${t.kpi} ${t.scope}`,
    from: t.baselineDate,
    to: t.due,
    series,
    levels: [{ name: '目标 Target', value: t.target, color: '#2e8540' }],
    axis: isShare(t.kpi) ? 'percent' : 'number',
  });
}

function zoneChart(a: Assessment, o: HtmlOptions): string {
  const zones = a.kpis.filter((k) => k.id === 'qualified_firms' && k.scope.startsWith('zone:'));
  return barChart({
    id: 'zones',
    title: 'qualified firms by zone',
    seriesNames: ['高新及专精特新企业 Qualified', '在营企业 Active'],
    colors: ['#1f5fbf', '#9db7e0'],
    groups: zones.map((z) => ({ label: scopeLabel(z.scope, o.zoneNames).zh, values: [z.value ?? 0, kpiValue(a.kpis, 'active_firms', z.scope) ?? 0] })),
  });
}

function industryChart(a: Assessment, o: HtmlOptions): string {
  const scope = o.headlineScope ?? 'zone:QL';
  const industries = [...new Set(a.kpis.filter((k) => k.id === 'qualified_by_industry').map((k) => k.industry!))];
  return barChart({
    id: 'industries',
    title: 'qualified firms by industry',
    seriesNames: [`${scopeLabel(scope, o.zoneNames).zh} ${scope}`, '全区 District'],
    colors: ['#1f5fbf', '#c3c3c3'],
    groups: industries.map((i) => ({
      label: labelOrId(INDUSTRY_LABELS, i).zh,
      values: [
        kpiValue(a.kpis, 'qualified_by_industry', scope, { industry: i }) ?? 0,
        kpiValue(a.kpis, 'qualified_by_industry', 'district', { industry: i }) ?? 0,
      ],
    })),
  });
}

function targetsTable(a: Assessment, o: HtmlOptions): string {
  const rows = a.targets.map((t) => {
    const needed = t.firmsNeeded ? `${thousands(t.firmsNeeded.toPath)} / ${thousands(t.firmsNeeded.toTarget)}` : DASH;
    return `<tr><td>${esc(t.id)}</td><td>${both(labelOrId(KPI_LABELS, t.kpi))}<br><span class="en">${esc(scopeLabel(t.scope, o.zoneNames).zh)} ${esc(t.scope)}</span></td>
<td class="n">${targetValue(t, t.baseline)}<br><span class="en">${esc(t.baselineDate)}</span></td><td class="n">${targetValue(t, t.target)}<br><span class="en">${esc(t.due)}</span></td>
<td class="n">${targetValue(t, t.actual)}</td><td class="n">${targetValue(t, t.expected)}</td><td class="n">${decimal(t.ratio)}</td><td class="n">${targetValue(t, t.forecast)}</td>
<td class="${statusClass(t)}">${both(statusLabel(t))}</td><td class="n">${needed}</td><td>${esc(t.method)}</td></tr>`;
  });
  return `<table><thead><tr><th>目标<br><span class="en">Target</span></th><th>指标<br><span class="en">Indicator</span></th><th>基期值<br><span class="en">Baseline</span></th><th>目标值<br><span class="en">Target</span></th><th>实际<br><span class="en">Actual</span></th><th>路径值<br><span class="en">Expected</span></th><th>进度比<br><span class="en">Ratio</span></th><th>预测<br><span class="en">Forecast</span></th><th>状态<br><span class="en">Status</span></th><th>尚需企业（路径/目标）<br><span class="en">Firms needed (path/target)</span></th><th>方法<br><span class="en">Method</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function kpiTable(a: Assessment, o: HtmlOptions): string {
  const scopes = [...new Set(a.kpis.map((k) => k.scope))];
  const head = scopes.map((s) => `<th>${esc(scopeLabel(s, o.zoneNames).zh)}<br><span class="en">${esc(s)}</span></th>`).join('');
  const line = (label: string, id: string, extra: { kind?: string; within?: number } = {}) =>
    `<tr><td>${label}</td>${scopes.map((s) => `<td class="n">${id === 'zone_share' ? percent(kpiValue(a.kpis, id, s, extra)) : decimal(kpiValue(a.kpis, id, s, extra))}</td>`).join('')}</tr>`;
  const rows = [
    line(both(KPI_LABELS.active_firms!), 'active_firms'),
    line(both(KPI_LABELS.qualified_firms!), 'qualified_firms'),
    line(both(KPI_LABELS.zone_share!), 'zone_share'),
    ...Object.entries(KIND_LABELS).map(([kind, l]) => line(`${both(KPI_LABELS.certified_firms!)}: ${both(l)}`, 'certified_firms', { kind })),
    ...[90, 180].flatMap((within) =>
      ['HNTE', 'SRDI_SME', 'SRDI_GIANT'].map((kind) =>
        line(`${both(KPI_LABELS.expiring_certifications!)} ≤ ${within} 天/days: ${both(KIND_LABELS[kind as 'HNTE'])}`, 'expiring_certifications', {
          kind,
          within,
        }),
      ),
    ),
  ];
  const district = [
    [KPI_LABELS.unlocated_firms!, kpiValue(a.kpis, 'unlocated_firms', 'district')],
    [KPI_LABELS.new_service_platforms!, kpiValue(a.kpis, 'new_service_platforms', 'district')],
  ] as const;
  return `<table class="kpis"><thead><tr><th>指标 <span class="en">Indicator</span></th>${head}</tr></thead><tbody>${rows.join('')}${district
    .map(
      ([l, v]) =>
        `<tr><td>${both(l)}</td><td class="n">${decimal(v)}</td>${scopes
          .slice(1)
          .map(() => '<td class="n">—</td>')
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

function decompositionSection(a: Assessment): string {
  const d = a.decomposition;
  if (!d) return '<p>无（没有占比类目标）<span class="en">None (no zone-share target).</span></p>';
  const gained = d.zoneFirms ? `${d.zoneFirms.gained} / ${d.zoneFirms.lost}` : '—';
  return `<table><tbody>
<tr><td>期间 <span class="en">Between</span></td><td>${esc(d.from)} → ${esc(d.to)}</td></tr>
<tr><td>园区企业 <span class="en">Zone qualified firms</span> (${esc(d.scope)})</td><td class="n">${d.zone.from} → ${d.zone.to}</td></tr>
<tr><td>全区企业 <span class="en">District qualified firms</span></td><td class="n">${d.district.from} → ${d.district.to}</td></tr>
<tr><td>占比 <span class="en">Share</span></td><td class="n">${percent(d.share.from)} → ${percent(d.share.to)}（${points(d.delta)}）</td></tr>
<tr><td>分子效应 <span class="en">Numerator effect (zone firms gained/lost)</span></td><td class="n">${points(d.numeratorEffect)}</td></tr>
<tr><td>分母效应 <span class="en">Denominator effect (district total)</span></td><td class="n">${points(d.denominatorEffect)}</td></tr>
<tr><td>园区新增/减少企业 <span class="en">Zone firms gained / lost</span></td><td class="n">${gained}</td></tr>
</tbody></table>`;
}

function tasksTable(a: Assessment): string {
  const rows = a.tasks.map((t) => {
    const status = t.status ? labelOrId(TASK_STATUS_LABELS, t.status) : { zh: '未报告', en: 'No report' };
    const cls = t.blocked ? 'bad' : t.overdue ? 'warn' : t.status === 'completed' ? 'ok' : '';
    return `<tr><td class="n">${t.id}</td><td>${esc(t.name)}<br><span class="en">${esc(t.action)}</span></td><td>${esc(t.lead.join('、'))}</td>
<td class="status ${cls}">${both(status)}${t.overdue ? '<br>逾期 <span class="en">overdue</span>' : ''}</td><td class="n">${t.percentComplete === null ? '—' : `${t.percentComplete}%`}</td><td>${esc(t.period ?? '—')}</td></tr>`;
  });
  return `<table class="tasks"><thead><tr><th>#</th><th>任务 <span class="en">Task</span></th><th>牵头单位 <span class="en">Lead</span></th><th>状态 <span class="en">Status</span></th><th>进度 <span class="en">Done</span></th><th>报告期 <span class="en">Reported</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function departmentsTable(a: Assessment): string {
  const rows = a.departments.map(
    (d) =>
      `<tr><td>${esc(d.department)}</td><td class="n">${d.ledTaskIds.length}</td><td class="n">${d.cooperatingTaskIds.length}</td><td class="n">${d.completed}</td><td class="n">${d.overdue}</td><td class="n">${d.blocked}</td></tr>`,
  );
  return `<table><thead><tr><th>部门 <span class="en">Department</span></th><th>牵头 <span class="en">Leads</span></th><th>配合 <span class="en">Cooperates</span></th><th>完成 <span class="en">Completed</span></th><th>逾期 <span class="en">Overdue</span></th><th>受阻 <span class="en">Blocked</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function dataQualitySection(a: Assessment): string {
  const c = a.cutoff;
  const reasons = Object.entries(c.pipeline.rejected).sort(([x], [y]) => x.localeCompare(y));
  const providers = Object.entries(c.pipeline.rejectedByProvider).sort(([x], [y]) => x.localeCompare(y));
  const offsets = Object.entries(c.acceptedOffsets)
    .map(([p, o]) => `${esc(p)}:${esc(o)}`)
    .join(' ');
  return `<table><tbody>
<tr><td>无法定位企业（期末） <span class="en">Unlocated firms on ${esc(a.asOf)}</span></td><td class="n">${thousands(a.dataQuality.unlocatedFirms)}</td></tr>
<tr><td>企业未知的认定（期末） <span class="en">Certificates whose firm is not registered</span></td><td class="n">${a.dataQuality.certificatesWithoutKnownFirm}</td></tr>
<tr><td>已接收事件 <span class="en">Events accepted (at cut-off)</span></td><td class="n">${c.pipeline.accepted}</td></tr>
<tr><td>重复事件 <span class="en">Duplicates</span></td><td class="n">${c.pipeline.duplicates}</td></tr>
${reasons.map(([r, n]) => `<tr><td>拒收：<code>${esc(r)}</code> <span class="en">Rejected: ${esc(r)}</span></td><td class="n">${n}</td></tr>`).join('')}
${providers.map(([p, byReason]) => `<tr><td>拒收（数据提供方） <span class="en">Rejected from</span> <code>${esc(p)}</code></td><td class="n">${Object.values(byReason).reduce((x, y) => x + y, 0)}</td></tr>`).join('')}
</tbody></table>
<p class="cutoff">数据截止 <span class="en">Data cut-off</span>: ${c.storedEvents} 条事件 / events stored, 最新接收 / newest received ${esc(c.receivedUpTo ?? '—')}; accepted-topic offsets ${offsets || '—'}.</p>`;
}

const CSS = `
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",sans-serif;color:#1b1b1b;margin:24px auto;max-width:1000px;padding:0 16px;line-height:1.45}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #1f5fbf;padding-bottom:3px;margin-top:28px}h3{font-size:14px}
.en{color:#5c5c5c;font-size:.86em}.meta{color:#444;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:8px 0}th,td{border:1px solid #d0d0d0;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#eef2f8}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.status.ok{background:#e4f3e6}.status.warn{background:#fff4d6}.status.bad{background:#fde2e1}
svg.chart{width:100%;height:auto;max-width:720px;display:block;margin:8px 0}
svg .grid{stroke:#e3e3e3;stroke-width:1}svg .tick{font-size:11px;fill:#444}svg .legend{font-size:11px;fill:#222}
.restatement{border:2px solid #d9822b;padding:4px 12px;background:#fffaf2}.cutoff{font-size:12px;color:#444}
.empty{color:#777;font-style:italic}
code{font-size:.92em}td.changed{font-weight:600}.events{font-weight:normal;font-size:.9em}.more{font-size:12.5px;color:#444}
@media print{body{margin:0;max-width:none}section,table,svg{page-break-inside:avoid}h2{page-break-after:avoid}}
`;

export function renderHtml(a: Assessment, o: HtmlOptions = {}): string {
  const kind = PERIOD_KIND_LABELS[a.kind];
  const headline = a.targets.find((t) => t.id === a.headlinePath?.target);
  const summary = Object.entries(a.statusSummary)
    .map(([s, n]) => `${both(STATUS_LABELS[s as keyof typeof STATUS_LABELS])} ${n}`)
    .join('；');
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>硅巷行动计划${esc(kind.zh)}评估 ${esc(a.period)} v${a.version} — Silicon Alley ${esc(kind.en.toLowerCase())} assessment</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${CSS}</style></head><body>
<header><h1>东城区“硅巷”行动计划（2024—2026年）${esc(kind.zh)}评估报告 <span class="en">Silicon Alley action plan — ${esc(kind.en)} assessment</span></h1>
<p class="meta">评估期 <span class="en">Period</span> <strong>${esc(a.period)}</strong>（${esc(a.start)} — ${esc(a.asOf)}）· 第 ${a.version} 版 <span class="en">version ${a.version}</span> · 发布 <span class="en">published</span> ${esc(a.publishedAt)} · 方法 <span class="en">methods</span> ${esc(a.methods.assessment)}, ${esc(a.methods.kpis)}, ${esc(a.methods.targets.join(', '))}</p>
<p class="meta">目标状态 <span class="en">Target status</span>：${summary || '—'}</p></header>
${restatementSection(a)}
<section><h2>核心目标 <span class="en">Headline target</span>${headline ? ` — ${esc(headline.id)}` : ''}</h2>${headlineChart(a)}</section>
<section><h2>目标进度 <span class="en">Targets</span></h2>${targetsTable(a, o)}</section>
<section><h2>占比变化分解（较上期） <span class="en">Share change against the previous period</span></h2>${decompositionSection(a)}</section>
${actionsSection(a, o.zoneNames)}
${whatIfSection(a)}
<section><h2>园区分布 <span class="en">By zone</span></h2>${zoneChart(a, o)}</section>
<section><h2>产业分布 <span class="en">By industry</span></h2>${industryChart(a, o)}</section>
<section><h2>指标表 <span class="en">Indicators on ${esc(a.asOf)}</span></h2>${kpiTable(a, o)}</section>
<section><h2>重点任务 <span class="en">Plan tasks</span></h2>${tasksTable(a)}</section>
<section><h2>部门评分 <span class="en">Departments</span></h2>${departmentsTable(a)}</section>
<section><h2>数据质量 <span class="en">Data quality</span></h2>${dataQualitySection(a)}</section>
<footer class="cutoff"><p>本报告发布后不再更改；后到数据导致数值变化时发布新版本。<span class="en">A published version never changes; later data that changes a number produces a new version.</span></p></footer>
</body></html>
`;
}
