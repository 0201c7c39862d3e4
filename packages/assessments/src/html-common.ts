// Pieces shared by the report's sections: bilingual labels, target values and status cells.
import type { TargetJudgement } from '@siliconalley/targets';
import { decimal, percent } from './format';
import { STATUS_LABELS, type Label } from './labels';
import { esc } from './svg';

/** Chinese first, English beside (greyed). */
export const both = (l: Label): string => `${esc(l.zh)} <span class="en">${esc(l.en)}</span>`;

/** A header cell with the English on a second line. */
export const th = (l: Label): string => `<th>${esc(l.zh)}<br><span class="en">${esc(l.en)}</span></th>`;

export const isShare = (kpi: string): boolean => kpi === 'zone_share';

/** A target's number as people read it: shares as 21.66%, other non-integers to two decimals. */
export const targetValue = (t: Pick<TargetJudgement, 'kpi'>, v: number | null | undefined): string => (isShare(t.kpi) ? percent(v) : decimal(v));

export const STATUS_CLASS: Record<string, string> = { achieved: 'ok', on_track: 'ok', at_risk: 'warn', lagging: 'bad', regressing: 'bad', missed: 'bad' };

export const statusLabel = (t: Pick<TargetJudgement, 'status'>): Label => (t.status ? STATUS_LABELS[t.status] : { zh: '无数据', en: 'no data' });

/** The `class` of a status cell (green, amber, red). */
export const statusClass = (t: Pick<TargetJudgement, 'status'> | undefined): string => `status ${STATUS_CLASS[t?.status ?? ''] ?? ''}`.trim();
