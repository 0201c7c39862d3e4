// Bilingual labels for reports: Chinese first (the evaluation team's language), English beside.
// Kinds and industries are worded as in shared/spec/events.md; statuses as kpis.md defines them.
import type { CertificationKind, FocusIndustry, TaskStatus } from '@siliconalley/contract';
import type { TargetStatus } from '@siliconalley/targets';

export interface Label {
  zh: string;
  en: string;
}

export const KPI_LABELS: Record<string, Label> = {
  active_firms: { zh: '在营企业数', en: 'Active firms' },
  qualified_firms: { zh: '高新技术企业及专精特新企业数', en: 'Qualified firms (HNTE or SRDI)' },
  certified_firms: { zh: '持有效认定企业数', en: 'Firms holding a valid certificate' },
  zone_share: { zh: '园区企业占全区比重', en: 'Zone share of qualified firms' },
  qualified_by_industry: { zh: '分产业高新及专精特新企业数', en: 'Qualified firms by industry' },
  unlocated_firms: { zh: '无法定位企业数', en: 'Unlocated firms' },
  new_service_platforms: { zh: '新增国家级、市级服务平台和示范基地', en: 'New national/municipal service platforms and demo bases' },
  expiring_certifications: { zh: '即将到期的认定', en: 'Certifications expiring' },
  tasks_completed: { zh: '已完成任务数', en: 'Tasks completed' },
};

export const KIND_LABELS: Record<CertificationKind, Label> = {
  HNTE: { zh: '国家高新技术企业', en: 'National high-tech enterprise' },
  SRDI_SME: { zh: '专精特新中小企业', en: 'SRDI SME' },
  SRDI_GIANT: { zh: '专精特新“小巨人”企业', en: 'SRDI "little giant"' },
  INNOVATIVE_SME: { zh: '创新型中小企业', en: 'Innovative SME' },
  SME_SERVICE_PLATFORM: { zh: '中小企业公共服务示范平台', en: 'SME public service demonstration platform' },
  SMALL_MICRO_DEMO_BASE: { zh: '小型微型企业创业创新示范基地', en: 'Small and micro business innovation demo base' },
  SA_PARK: { zh: '硅巷科创园', en: 'Silicon Alley innovation park' },
  SA_STATION: { zh: '硅巷驿站', en: 'Silicon Alley station' },
};

export const INDUSTRY_LABELS: Record<FocusIndustry | 'UNCLASSIFIED', Label> = {
  AI: { zh: '人工智能', en: 'Artificial intelligence' },
  SMART_HEALTH: { zh: '智慧医疗', en: 'Smart health' },
  DIGITAL_ENTERTAINMENT: { zh: '数字文娱', en: 'Digital entertainment' },
  DIGITAL_ENERGY: { zh: '数智能源', en: 'Digital energy' },
  SMART_CITY: { zh: '智慧城市', en: 'Smart city' },
  TECH_SERVICES: { zh: '科技服务', en: 'Technology services' },
  METAVERSE: { zh: '元宇宙', en: 'Metaverse' },
  CARBON_NEUTRAL: { zh: '碳中和', en: 'Carbon neutrality' },
  UNCLASSIFIED: { zh: '未分类', en: 'Unclassified' },
};

export const STATUS_LABELS: Record<TargetStatus, Label> = {
  missed: { zh: '未达成（已到期）', en: 'Missed' },
  achieved: { zh: '已达成', en: 'Achieved' },
  regressing: { zh: '倒退', en: 'Regressing' },
  on_track: { zh: '进度正常', en: 'On track' },
  at_risk: { zh: '存在风险', en: 'At risk' },
  lagging: { zh: '进度滞后', en: 'Lagging' },
};

export const TASK_STATUS_LABELS: Record<TaskStatus, Label> = {
  not_started: { zh: '未启动', en: 'Not started' },
  in_progress: { zh: '推进中', en: 'In progress' },
  completed: { zh: '已完成', en: 'Completed' },
  blocked: { zh: '受阻', en: 'Blocked' },
};

/** The three action lists of kpis.md "Action lists (v1)", by their JSON names. */
export const ACTION_LIST_LABELS: Record<'renewalsDue' | 'relocationCandidates' | 'nextTier', Label> = {
  renewalsDue: { zh: '即将到期需复审', en: 'Renewals due' },
  relocationCandidates: { zh: '迁入候选', en: 'Relocation candidates' },
  nextTier: { zh: '下一梯队', en: 'Next tier' },
};

/** What-if scenarios (kpis.md "What-if (v1)"), by their stored ids. */
export const WHAT_IF_LABELS: Record<'renewals_granted' | 'next_tier_certified', Label> = {
  renewals_granted: { zh: '复审全部通过', en: 'if all renewals due are granted' },
  next_tier_certified: { zh: '下一梯队全部认定', en: 'if every next-tier firm is certified' },
};

export const PERIOD_KIND_LABELS: Record<'year' | 'quarter' | 'month', Label> = {
  year: { zh: '年度', en: 'Annual' },
  quarter: { zh: '季度', en: 'Quarterly' },
  month: { zh: '月度', en: 'Monthly' },
};

/** `zone:QL` → the zone's names when known; `district` → 东城区. */
export function scopeLabel(scope: string, zoneNames: Readonly<Record<string, Label>> = {}): Label {
  if (scope === 'district') return { zh: '东城区（全区）', en: 'Dongcheng District' };
  const id = scope.startsWith('zone:') ? scope.slice(5) : scope;
  return zoneNames[id] ?? { zh: `园区 ${id}`, en: `Zone ${id}` };
}

export const labelOrId = (table: Readonly<Record<string, Label>>, id: string): Label => table[id] ?? { zh: id, en: id };
