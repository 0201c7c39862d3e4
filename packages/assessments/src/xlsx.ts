// The assessment as an Excel workbook (issue #17): the tables of the HTML report, one sheet each, for
// the evaluation team to filter and recompute. Numbers stay numbers (shares and ratios as percentages,
// days as real dates), so nothing has to be parsed back out of text. Headers read "中文 English".
import { Workbook, type Worksheet } from 'exceljs';
import { wholeLength, wholeListPath, type Assessment } from './content';
import { thousands } from './format';
import { INDUSTRY_LABELS, KIND_LABELS, KPI_LABELS, PERIOD_KIND_LABELS, STATUS_LABELS, TASK_STATUS_LABELS, labelOrId, scopeLabel, type Label } from './labels';

/** A cell that needs a number format: a share, a ratio, a day or an instant. */
interface Formatted {
  value: number | Date | null;
  numFmt: string;
}
type Value = string | number | null | Formatted;

export const PERCENT = '0.00%';
export const DAY = 'yyyy-mm-dd';
/** Instants are written in UTC (Excel has no time zones), and the header says so. */
const INSTANT = 'yyyy-mm-dd hh:mm:ss';
const HEADER_FILL = 'FFEEF2F8';
/** Excel's default column is about 8.43 characters; ours never go narrower, nor wider than this. */
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
const NO_ACTIONS = '本版本无行动清单（发布于行动清单功能之前） This version has no action lists (published before they existed)';

const pct = (v: number | null | undefined): Formatted => ({ value: v ?? null, numFmt: PERCENT });
/** `YYYY-MM-DD` → a UTC-midnight Date: exceljs writes a Date's UTC fields, so the cell shows that day. */
const day = (iso: string | null | undefined): Formatted => ({ value: iso ? new Date(`${iso.slice(0, 10)}T00:00:00Z`) : null, numFmt: DAY });
const instant = (iso: string | null | undefined): Formatted => ({ value: iso ? new Date(iso) : null, numFmt: INSTANT });
const bi = (l: Label): string => (l.zh === l.en ? l.zh : `${l.zh} ${l.en}`);
const yesNo = (b: boolean): string => (b ? '是 Yes' : '否 No');
const isShare = (kpi: string): boolean => kpi === 'zone_share';

/** Wide (CJK, full-width) characters take two columns of a monospaced width, as Excel sizes them. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u201c\u201d]/u;

export function displayWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += WIDE.test(ch) ? 2 : 1;
  return n;
}

/** The text a cell shows, close enough to size its column. */
function shown(v: Value): string {
  if (v === null) return '';
  if (typeof v !== 'object') return String(v);
  if (v.value === null) return '';
  if (v.value instanceof Date) return v.numFmt;
  return v.numFmt.includes('%') ? `${(v.value * 100).toFixed(v.numFmt === PERCENT ? 2 : 0)}%` : String(v.value);
}

/** One sheet: a bold bilingual header row, frozen; columns as wide as their longest cell. */
function addTable(wb: Workbook, name: string, headers: readonly string[], rows: readonly Value[][]): Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  const header = ws.addRow([...headers]);
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
  });
  for (const values of rows) {
    const row = ws.addRow(values.map((v) => (v !== null && typeof v === 'object' ? v.value : v)));
    values.forEach((v, i) => {
      if (v !== null && typeof v === 'object') row.getCell(i + 1).numFmt = v.numFmt;
    });
  }
  headers.forEach((h, i) => {
    const longest = Math.max(displayWidth(h), ...rows.map((r) => displayWidth(shown(r[i] ?? null))));
    const column = ws.getColumn(i + 1);
    column.width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, longest + 2));
    if (longest + 2 > MAX_WIDTH) column.alignment = { wrapText: true, vertical: 'top' };
  });
  if (rows.length > 0) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: headers.length } };
  return ws;
}

function summaryRows(a: Assessment): Value[][] {
  const kind = PERIOD_KIND_LABELS[a.kind];
  const statuses = Object.entries(a.statusSummary).map(([s, n]): Value[] => [
    `目标状态：${bi(STATUS_LABELS[s as keyof typeof STATUS_LABELS])} Target status`,
    n ?? 0,
  ]);
  const offsets = Object.entries(a.cutoff.acceptedOffsets)
    .map(([p, o]) => `${p}:${o}`)
    .join(' ');
  const r = a.restatement;
  const actions = a.actions;
  return [
    ['报告 Report', `东城区“硅巷”行动计划（2024—2026年）${kind.zh}评估报告 Silicon Alley action plan — ${kind.en} assessment`],
    ['评估期 Period', a.period],
    ['类别 Kind', bi(kind)],
    ['起始日 Start', day(a.start)],
    ['截至日 As of', day(a.asOf)],
    ['版本 Version', a.version],
    ['发布时间（UTC） Published (UTC)', instant(a.publishedAt)],
    ['方法 Methods', [a.methods.assessment, a.methods.kpis, ...a.methods.targets].join(', ')],
    ...statuses,
    [
      '更正 Restatement',
      r
        ? `更正第 ${r.previousVersion} 版，${r.changes.length} 项数值变化 Restates version ${r.previousVersion}: ${r.changes.length} numbers changed`
        : '无 None',
    ],
    ['数据截止：已存储事件 Cut-off: events stored', a.cutoff.storedEvents],
    ['数据截止：最新接收（UTC） Cut-off: newest received (UTC)', instant(a.cutoff.receivedUpTo)],
    ['数据截止：已应用偏移 Cut-off: accepted-topic offsets', offsets || null],
    ['行动清单 Action lists', actions ? `${actions.target} · 园区 zone ${actions.zone} · 续期窗口 renewal window ${actions.within} 天 days` : NO_ACTIONS],
    ...(actions ? actionLengthRows(a) : []),
  ];
}

/**
 * Per list: its whole length, and — for a list the version cut — how many rows the action-list sheet
 * has and where the whole list is (the sheet itself stays a plain table).
 */
function actionLengthRows(a: Assessment): Value[][] {
  const lists = a.actions!;
  const rows: Value[][] = [];
  for (const [name, key] of [
    ['renewalsDue', 'renewals_due'],
    ['relocationCandidates', 'relocation_candidates'],
    ['nextTier', 'next_tier'],
  ] as const) {
    const whole = wholeLength(lists, name);
    const kept = lists[name].length;
    rows.push([`行动清单条数：${LIST_NAMES[key]} Entries`, whole]);
    if (whole > kept) {
      const [k, w, path] = [thousands(kept), thousands(whole), wholeListPath(lists, a.asOf)];
      rows.push([
        `行动清单已截断：${LIST_NAMES[key]} Cut`,
        `本评估只保留前 ${k} 家（共 ${w} 家），完整清单（按当前数据）见 API：${path} The first ${k} of ${w} are kept in this assessment; the whole list, on today's data: ${path}`,
      ]);
    }
  }
  return rows;
}

function kpiRows(a: Assessment, zoneNames: Readonly<Record<string, Label>>): Value[][] {
  return a.kpis.map((k) => {
    const kpi = labelOrId(KPI_LABELS, k.id);
    return [
      k.id,
      kpi.zh,
      kpi.en,
      k.scope,
      scopeLabel(k.scope, zoneNames).zh,
      k.kind ? bi(labelOrId(KIND_LABELS, k.kind)) : null,
      k.industry ? bi(labelOrId(INDUSTRY_LABELS, k.industry)) : null,
      k.within ?? null,
      isShare(k.id) ? pct(k.value) : k.value,
    ];
  });
}

function targetRows(a: Assessment, zoneNames: Readonly<Record<string, Label>>): Value[][] {
  return a.targets.map((t) => {
    // A share target's values are shares; other targets count firms or tasks.
    const v = (x: number | null): Value => (isShare(t.kpi) ? pct(x) : x);
    return [
      t.id,
      bi(labelOrId(KPI_LABELS, t.kpi)),
      t.scope,
      scopeLabel(t.scope, zoneNames).zh,
      t.method,
      day(t.baselineDate),
      v(t.baseline),
      day(t.due),
      v(t.target),
      v(t.actual),
      v(t.expected),
      pct(t.ratio),
      v(t.forecast),
      t.status ? bi(STATUS_LABELS[t.status]) : '无数据 No data',
      v(t.gapToPath),
      t.firmsNeeded?.toPath ?? null,
      t.firmsNeeded?.toTarget ?? null,
    ];
  });
}

function taskRows(a: Assessment): Value[][] {
  return a.tasks.map((t) => [
    t.id,
    t.section,
    t.action,
    t.name,
    t.lead.join('、'),
    t.cooperating.join('、'),
    t.status ? bi(labelOrId(TASK_STATUS_LABELS, t.status)) : '未报告 No report',
    { value: t.percentComplete === null ? null : t.percentComplete / 100, numFmt: '0%' },
    t.period,
    t.dueQuarter,
    yesNo(t.overdue),
    yesNo(t.blocked),
  ]);
}

function departmentRows(a: Assessment): Value[][] {
  return a.departments.map((d) => [
    d.department,
    d.ledTaskIds.length,
    d.cooperatingTaskIds.length,
    d.completed,
    d.overdue,
    d.blocked,
    d.ledTaskIds.join(', '),
    d.cooperatingTaskIds.join(', '),
  ]);
}

function dataQualityRows(a: Assessment): Value[][] {
  const p = a.cutoff.pipeline;
  const byName = <T>(o: Record<string, T>) => Object.entries(o).sort(([x], [y]) => x.localeCompare(y));
  return [
    [`无法定位企业（${a.asOf}） Unlocated firms on ${a.asOf}`, a.dataQuality.unlocatedFirms],
    ['企业未知的认定 Certificates whose firm is not registered', a.dataQuality.certificatesWithoutKnownFirm],
    ['已接收事件（截止时） Events accepted (at cut-off)', p.accepted],
    ['重复事件 Duplicates', p.duplicates],
    ...byName(p.rejected).map(([reason, n]): Value[] => [`拒收：${reason} Rejected: ${reason}`, n]),
    ...byName(p.rejectedByProvider).flatMap(([provider, reasons]) =>
      byName(reasons).map(([reason, n]): Value[] => [`拒收（数据提供方） Rejected from ${provider}: ${reason}`, n]),
    ),
  ];
}

const LIST_NAMES = {
  renewals_due: '即将到期需复审 Renewals due',
  relocation_candidates: '迁入候选 Relocation candidates',
  next_tier: '梯队培育 Next tier',
} as const;

/**
 * One sheet with a `list` column rather than three: the columns and order of renderActionListsCsv,
 * so the CSV and the workbook read alike, and one autofilter on `list` shows any single list.
 */
function actionRows(a: Assessment, zoneNames: Readonly<Record<string, Label>>): Value[][] {
  const lists = a.actions;
  if (!lists) return [[NO_ACTIONS]];
  const industry = (i: string | null) => (i ? bi(labelOrId(INDUSTRY_LABELS, i)) : null);
  const zones = (ids: readonly string[]) => ids.map((z) => scopeLabel(`zone:${z}`, zoneNames).zh).join('、') || null;
  const kind = (k: string) => labelOrId(KIND_LABELS, k).zh;
  const rows: Value[][] = [];
  for (const e of lists.renewalsDue) {
    const certificates = e.certificates.map((c) => `${kind(c.kind)} ${c.certificateNo}（至 ${c.validUntil}）`).join('；');
    rows.push([
      'renewals_due',
      LIST_NAMES.renewals_due,
      e.uscc,
      e.name,
      industry(e.focusIndustry),
      zones(e.zones),
      day(e.lapsesOn),
      certificates,
      null,
      null,
      null,
      null,
    ]);
  }
  for (const e of lists.relocationCandidates) {
    rows.push([
      'relocation_candidates',
      LIST_NAMES.relocation_candidates,
      e.uscc,
      e.name,
      industry(e.focusIndustry),
      zones(e.zones),
      null,
      null,
      { value: e.distanceMeters, numFmt: '#,##0' },
      e.kinds.map(kind).join('、'),
      null,
      null,
    ]);
  }
  for (const e of lists.nextTier) {
    rows.push([
      'next_tier',
      LIST_NAMES.next_tier,
      e.uscc,
      e.name,
      industry(e.focusIndustry),
      zones(e.zones),
      null,
      null,
      null,
      null,
      e.certificateNo,
      day(e.validUntil),
    ]);
  }
  return rows;
}

export const SHEET_NAMES = [
  '概要 Summary',
  '指标 KPIs',
  '目标 Targets',
  '任务 Tasks',
  '部门 Departments',
  '数据质量 Data quality',
  '行动清单 Action lists',
] as const;

export async function renderXlsx(a: Assessment, zoneNames: Readonly<Record<string, Label>> = {}): Promise<Buffer> {
  const wb = new Workbook();
  wb.creator = 'Silicon Alley monitoring 硅巷监测';
  // The publication instant, not now: the same version gives the same workbook properties.
  wb.created = wb.modified = new Date(a.publishedAt);
  const [summary, kpis, targets, tasks, departments, quality, actions] = SHEET_NAMES;
  addTable(wb, summary, ['项目 Item', '值 Value'], summaryRows(a));
  addTable(
    wb,
    kpis,
    [
      '指标代码 KPI id',
      '指标 Indicator',
      '指标（英文） Indicator (English)',
      '范围代码 Scope',
      '范围 Scope name',
      '认定类别 Kind',
      '产业 Industry',
      '期限（天） Within (days)',
      '数值 Value',
    ],
    kpiRows(a, zoneNames),
  );
  addTable(
    wb,
    targets,
    [
      '目标 Target',
      '指标 Indicator',
      '范围代码 Scope',
      '范围 Scope name',
      '方法 Method',
      '基期日 Baseline date',
      '基期值 Baseline',
      '目标日 Due',
      '目标值 Target',
      '实际 Actual',
      '路径值 Expected',
      '进度比 Ratio',
      '预测 Forecast',
      '状态 Status',
      '距路径差 Gap to path',
      '尚需企业（路径） Firms needed (path)',
      '尚需企业（目标） Firms needed (target)',
    ],
    targetRows(a, zoneNames),
  );
  addTable(
    wb,
    tasks,
    [
      '序号 #',
      '部分 Section',
      '行动 Action',
      '任务 Task',
      '牵头单位 Lead',
      '配合单位 Cooperating',
      '状态 Status',
      '进度 Done',
      '报告期 Reported',
      '到期季度 Due quarter',
      '逾期 Overdue',
      '受阻 Blocked',
    ],
    taskRows(a),
  );
  addTable(
    wb,
    departments,
    [
      '部门 Department',
      '牵头任务数 Leads',
      '配合任务数 Cooperates',
      '完成 Completed',
      '逾期 Overdue',
      '受阻 Blocked',
      '牵头任务 Led tasks',
      '配合任务 Cooperating tasks',
    ],
    departmentRows(a),
  );
  addTable(wb, quality, ['项目 Item', '数值 Value'], dataQualityRows(a));
  addTable(
    wb,
    actions,
    [
      '清单 List',
      '清单名称 List name',
      '统一社会信用代码 USCC',
      '企业名称 Firm',
      '重点产业 Focus industry',
      '所在园区 Zones',
      '失效日 Lapses on',
      '到期证书 Certificates',
      '距园区边界（米） Distance (m)',
      '持有类别 Kinds held',
      '证书编号 Certificate no.',
      '有效期至 Valid until',
    ],
    actionRows(a, zoneNames),
  );
  // exceljs types the result as its own Buffer interface; on Node it is a Buffer already.
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
