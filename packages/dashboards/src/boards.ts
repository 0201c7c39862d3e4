// The operators' boards. Every expression reads metrics the services export (names in their
// metrics.ts); the proof test runs each one against the real Prometheus.
import type { BoardSpec, PanelSpec, Threshold } from './model';

/** The gateway as operators reach it (npm start and docker-compose publish it here); links use it. */
const API_BASE_URL = 'http://127.0.0.1:8080';
const kpi = (id: string, extra = '') => `siliconalley_kpi_value{kpi="${id}"${extra}}`;
/** Target statuses as colours: achieved/on track green, at risk yellow, lagging/regressing/missed red. */
const statusThresholds: Threshold[] = [
  { color: 'green', value: null },
  { color: 'red', value: 1 },
];
const ratioThresholds: Threshold[] = [
  { color: 'red', value: null },
  { color: 'yellow', value: 0.5 },
  { color: 'green', value: 0.95 },
];

const lagging = '(lagging, regressing or missed; with hysteresis)';

const overview: BoardSpec = {
  uid: 'siliconalley-overview',
  title: 'Silicon Alley — Overview 概览',
  description: 'The plan’s hard numbers: T6 zone share (≥ 1.5 × end-2023 by 2026-12-31), T32 service platforms, plan tasks.',
  tags: ['overview'],
  variables: [],
  rows: [
    {
      title: 'T6 — share of qualified firms in Qinglong (青龙硅巷占比)',
      panels: [
        {
          title: 'T6 zone share: actual vs straight path vs target',
          kind: 'timeseries',
          width: 12,
          unit: 'percentunit',
          decimals: 2,
          description: 'Target ≥ 1.5 × the end-2023 share, due 2026-12-31; the forecast is the least-squares line through the month ends read at the due date.',
          queries: [
            { expr: 'siliconalley_target_actual{target="T6_ZONE_SHARE"}', legend: 'actual' },
            { expr: 'siliconalley_target_expected{target="T6_ZONE_SHARE"}', legend: 'straight path' },
            { expr: 'siliconalley_target_value{target="T6_ZONE_SHARE"}', legend: 'target (due 2026-12-31)' },
            { expr: 'siliconalley_target_forecast{target="T6_ZONE_SHARE"}', legend: 'forecast at due date' },
          ],
        },
        {
          title: 'T6 progress ratio',
          kind: 'gauge',
          width: 4,
          unit: 'percentunit',
          min: -0.5,
          max: 1.5,
          thresholds: ratioThresholds,
          queries: [{ expr: 'siliconalley_target_ratio{target="T6_ZONE_SHARE"}' }],
        },
        {
          title: 'T6 firms needed (to path / to target)',
          kind: 'stat',
          width: 4,
          description:
            'Additional qualified firms in zone QL (the district growing by the same number) for the share to reach the straight path and the target',
          queries: [{ expr: 'siliconalley_target_firms_needed{target="T6_ZONE_SHARE"}', legend: 'to {{to}}' }],
        },
        {
          title: 'T6 flagged',
          kind: 'stat',
          width: 2,
          thresholds: statusThresholds,
          description: `1 when flagged ${lagging}`,
          queries: [{ expr: 'siliconalley_target_flagged{target="T6_ZONE_SHARE"}' }],
        },
        {
          title: 'Days to due',
          kind: 'stat',
          width: 2,
          unit: 'none',
          decimals: 0,
          queries: [{ expr: '(siliconalley_target_due_timestamp_seconds{target="T6_ZONE_SHARE"} - time()) / 86400' }],
        },
      ],
    },
    {
      title: 'T6 action lists (行动清单: which firms move the share)',
      panels: [
        {
          title: 'T6 action lists: firms per list today',
          kind: 'table',
          width: 24,
          height: 6,
          description:
            'renewals_due: qualified QL firms that lapse within 180 days unless renewed; relocation_candidates: qualified district firms outside QL; next_tier: innovative SMEs in QL not yet qualified. The named firms: the link (API, evaluator token), or the action-list section of the latest assessment.',
          queries: [{ expr: 'siliconalley_action_list_firms', legend: '{{list}}', instant: true }],
          links: [
            { title: 'Named firms (CSV, needs an evaluator token)', url: `${API_BASE_URL}/api/v1/targets/T6_ZONE_SHARE/actions?format=csv` },
            { title: 'Named firms (JSON)', url: `${API_BASE_URL}/api/v1/targets/T6_ZONE_SHARE/actions` },
          ],
        },
      ],
    },
    {
      title: 'Targets and tasks (目标与任务)',
      panels: [
        {
          title: 'Status of every target (linear-v1)',
          kind: 'table',
          width: 12,
          queries: [{ expr: 'siliconalley_target_status == 1', instant: true, legend: '{{target}} {{status}}' }],
        },
        {
          title: 'T32 new service platforms',
          kind: 'stat',
          width: 4,
          thresholds: [
            { color: 'red', value: null },
            { color: 'green', value: 2 },
          ],
          queries: [{ expr: kpi('new_service_platforms', ',scope="district"') }],
        },
        { title: 'Plan tasks completed (of 34)', kind: 'stat', width: 4, queries: [{ expr: 'siliconalley_tasks_completed' }] },
        {
          title: 'Plan tasks overdue',
          kind: 'stat',
          width: 4,
          thresholds: [
            { color: 'green', value: null },
            { color: 'red', value: 1 },
          ],
          queries: [{ expr: 'siliconalley_tasks_overdue' }],
        },
      ],
    },
  ],
};

const zoneScopes = 'scope=~"$zone"';
const zones: BoardSpec = {
  uid: 'siliconalley-zones',
  title: 'Silicon Alley — Zones and clusters 片区与集群',
  description: 'Qinglong start and expansion zones, the three poles, the two belts and the axis.',
  tags: ['zones'],
  variables: ['zone'],
  rows: [
    {
      title: 'Firms per zone',
      panels: [
        {
          title: 'Qualified firms by zone',
          kind: 'bargauge',
          width: 12,
          queries: [{ expr: kpi('qualified_firms', `,${zoneScopes}`), legend: '{{scope}}', instant: true }],
        },
        {
          title: 'Active firms by zone',
          kind: 'bargauge',
          width: 12,
          queries: [{ expr: kpi('active_firms', `,${zoneScopes}`), legend: '{{scope}}', instant: true }],
        },
      ],
    },
    {
      title: 'Share of the district',
      panels: [
        {
          title: 'Zone share of qualified firms',
          kind: 'timeseries',
          width: 24,
          unit: 'percentunit',
          decimals: 2,
          queries: [{ expr: kpi('zone_share', `,${zoneScopes}`), legend: '{{scope}}' }],
        },
      ],
    },
  ],
};

const industries: BoardSpec = {
  uid: 'siliconalley-industries',
  title: 'Silicon Alley — Industries 产业',
  description: 'Qualified firms by focus industry (the four pairs of section 7), district and zones.',
  tags: ['industries'],
  variables: ['industry', 'zone'],
  rows: [
    {
      title: 'Qualified firms by focus industry',
      panels: [
        {
          title: 'District',
          kind: 'bargauge',
          width: 12,
          queries: [{ expr: kpi('qualified_by_industry', ',scope="district",industry=~"$industry"'), legend: '{{industry}}', instant: true }],
        },
        {
          title: 'Selected zones',
          kind: 'table',
          width: 12,
          queries: [{ expr: kpi('qualified_by_industry', `,${zoneScopes},industry=~"$industry"`), legend: '{{scope}} {{industry}}', instant: true }],
        },
      ],
    },
  ],
};

const certifications: BoardSpec = {
  uid: 'siliconalley-certifications',
  title: 'Silicon Alley — Certifications and expiry 资质与到期',
  description: 'Certified firms per kind and the certificates of qualifying kinds expiring within 90 and 180 days.',
  tags: ['certifications'],
  variables: ['kind', 'zone'],
  rows: [
    {
      title: 'Certified firms',
      panels: [
        {
          title: 'Certified firms in the district by kind',
          kind: 'bargauge',
          width: 12,
          queries: [{ expr: kpi('certified_firms', ',scope="district",kind=~"$kind"'), legend: '{{kind}}', instant: true }],
        },
        {
          title: 'Qualified firms (HNTE ∪ 专精特新)',
          kind: 'timeseries',
          width: 12,
          queries: [
            { expr: kpi('qualified_firms', ',scope="district"'), legend: 'district' },
            { expr: kpi('qualified_firms', `,${zoneScopes}`), legend: '{{scope}}' },
          ],
        },
      ],
    },
    {
      title: 'Expiry pipeline',
      panels: [
        {
          title: 'Expiring within 90 days',
          kind: 'bargauge',
          width: 12,
          queries: [{ expr: kpi('expiring_certifications', ',scope="district",within="90"'), legend: '{{kind}}', instant: true }],
        },
        {
          title: 'Expiring within 180 days',
          kind: 'bargauge',
          width: 12,
          queries: [{ expr: kpi('expiring_certifications', ',scope="district",within="180"'), legend: '{{kind}}', instant: true }],
        },
      ],
    },
  ],
};

const tasks: BoardSpec = {
  uid: 'siliconalley-tasks',
  title: 'Silicon Alley — Plan tasks and departments 任务与部门',
  description: 'The 34 plan tasks: completed, overdue, blocked, by lead department.',
  tags: ['tasks'],
  variables: [],
  rows: [
    {
      title: 'Tasks',
      panels: [
        { title: 'Completed', kind: 'stat', width: 6, queries: [{ expr: 'siliconalley_tasks_completed' }] },
        {
          title: 'Overdue',
          kind: 'stat',
          width: 6,
          thresholds: [
            { color: 'green', value: null },
            { color: 'red', value: 1 },
          ],
          queries: [{ expr: 'siliconalley_tasks_overdue' }],
        },
        {
          title: 'Blocked',
          kind: 'stat',
          width: 6,
          thresholds: [
            { color: 'green', value: null },
            { color: 'red', value: 1 },
          ],
          queries: [{ expr: 'siliconalley_tasks_blocked' }],
        },
        { title: 'Completed over time', kind: 'timeseries', width: 6, queries: [{ expr: 'siliconalley_tasks_completed', legend: 'completed' }] },
      ],
    },
    {
      title: 'Blocked tasks by lead department',
      panels: [
        {
          title: 'Blocked tasks',
          kind: 'table',
          width: 24,
          mayBeEmpty: 'no task is blocked',
          queries: [{ expr: 'siliconalley_task_blocked == 1', legend: 'task {{task}} — {{department}}', instant: true }],
        },
      ],
    },
  ],
};

const pipeline: BoardSpec = {
  uid: 'siliconalley-pipeline',
  title: 'Silicon Alley — Pipeline health 数据管道',
  description: 'Ingest rates, rejections by reason, duplicates, consumer lag, KPI freshness, service health and latency.',
  tags: ['pipeline'],
  variables: [],
  rows: [
    {
      title: 'Ingestion',
      panels: [
        {
          title: 'Records consumed by topic',
          kind: 'timeseries',
          width: 8,
          unit: 'ops',
          queries: [{ expr: 'sum by (topic) (rate(siliconalley_events_consumed_total[5m]))', legend: '{{topic}}' }],
        },
        {
          title: 'Accepted by type',
          kind: 'timeseries',
          width: 8,
          unit: 'ops',
          queries: [{ expr: 'sum by (type) (rate(siliconalley_events_accepted_total[5m]))', legend: '{{type}}' }],
        },
        // The ingest ledgers' durable counts (served by the gateway): the whole history, through restarts.
        {
          title: 'Rejected by reason (dead-lettered)',
          kind: 'bargauge',
          width: 8,
          queries: [{ expr: 'max by (reason) (siliconalley_pipeline_rejected_records)', legend: '{{reason}}', instant: true }],
        },
      ],
    },
    {
      title: 'Flow',
      panels: [
        { title: 'Duplicates skipped', kind: 'stat', width: 4, queries: [{ expr: 'sum(siliconalley_events_duplicate_total)' }] },
        {
          title: 'Targets judged on caught-up data',
          kind: 'stat',
          width: 4,
          thresholds: [
            { color: 'red', value: null },
            { color: 'green', value: 1 },
          ],
          description:
            '1 when the alerting service judged the targets on data caught up to the start of its last evaluation; 0 while it waits for ingestion or the indicator (target and flag panels then show the last caught-up values)',
          queries: [{ expr: 'max(siliconalley_evaluation_ready)' }],
        },
        {
          title: 'Consumer lag (records)',
          kind: 'timeseries',
          width: 7,
          queries: [{ expr: 'sum by (group, topic) (siliconalley_consumer_lag_records)', legend: '{{group}} {{topic}}' }],
        },
        {
          title: 'KPI freshness',
          kind: 'stat',
          width: 9,
          unit: 's',
          thresholds: [
            { color: 'green', value: null },
            { color: 'yellow', value: 3600 },
            { color: 'red', value: 86400 },
          ],
          description: 'Seconds since the indicator last applied an event',
          queries: [{ expr: 'max(siliconalley_kpi_freshness_seconds)' }],
        },
      ],
    },
    {
      title: 'Services',
      panels: [
        { title: 'Up', kind: 'table', width: 8, queries: [{ expr: 'up', legend: '{{job}}', instant: true }] },
        {
          title: 'Ingest chunk p99',
          kind: 'timeseries',
          width: 8,
          unit: 's',
          queries: [
            { expr: 'histogram_quantile(0.99, sum by (le, service) (rate(siliconalley_ingest_chunk_duration_seconds_bucket[5m])))', legend: '{{service}}' },
          ],
          mayBeEmpty: 'no ingestion during the window',
        },
        {
          title: 'HTTP p99 by service',
          kind: 'timeseries',
          width: 8,
          unit: 's',
          queries: [
            { expr: 'histogram_quantile(0.99, sum by (le, service) (rate(siliconalley_http_request_duration_seconds_bucket[5m])))', legend: '{{service}}' },
          ],
        },
      ],
    },
  ],
};

export const BOARDS: readonly BoardSpec[] = [overview, zones, industries, certifications, tasks, pipeline];

export function panelsOf(board: BoardSpec): PanelSpec[] {
  return board.rows.flatMap((r) => r.panels);
}
