// grafana-dash-gen (the team's choice) builds the board — rows, spans, titles, templating — and
// emits Grafana's old JSON (schemaVersion 6, rows, graph/singlestat, Graphite targets). This turns
// it into current Grafana JSON: flat panels with gridPos, timeseries/stat/gauge/table/bargauge,
// Prometheus targets with legends on the pinned datasource, units and thresholds. Ids are
// numbered in order, so the output is stable from one generation to the next.
import dashgen = require('grafana-dash-gen');
import type { AnnotationQuery, Dashboard, FieldConfigSource, Panel, RowPanel, VariableModel } from '@grafana/schema';
import { PROMETHEUS_DATASOURCE_UID, type BoardSpec, type PanelSpec, type Variable } from './model';

type Json = Record<string, unknown>;

const datasource = { type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID };

/** Template variables: label values of the KPI gauge, so the lists follow the data. */
const VARIABLE_QUERIES: Record<Variable, { label: string; query: string; title: string }> = {
  zone: { label: 'scope', query: 'label_values(siliconalley_kpi_value{scope=~"zone:.*"}, scope)', title: 'Zone' },
  kind: { label: 'kind', query: 'label_values(siliconalley_kpi_value{kpi="certified_firms"}, kind)', title: 'Certification kind' },
  industry: { label: 'industry', query: 'label_values(siliconalley_kpi_value{kpi="qualified_by_industry"}, industry)', title: 'Industry' },
};

const OLD_TYPE: Record<PanelSpec['kind'], 'graph' | 'singlestat' | 'table'> = {
  timeseries: 'graph',
  stat: 'singlestat',
  gauge: 'singlestat',
  bargauge: 'table',
  table: 'table',
};

function oldPanel(spec: PanelSpec, row: dashgen.Row): void {
  const opts = { title: spec.title, span: Math.max(1, Math.round(spec.width / 2)) };
  const panel =
    OLD_TYPE[spec.kind] === 'graph'
      ? new dashgen.Panels.Graph(opts)
      : OLD_TYPE[spec.kind] === 'singlestat'
        ? new dashgen.Panels.SingleStat(opts)
        : new dashgen.Panels.Table(opts);
  row.addPanel(panel);
}

function fieldConfig(spec: PanelSpec): FieldConfigSource {
  const defaults: FieldConfigSource['defaults'] = {
    unit: spec.unit ?? 'short',
    thresholds: {
      mode: 'absolute',
      // Grafana's base step has value null (JSON), which its schema types as a number.
      steps: (spec.thresholds ?? [{ color: 'green', value: null }]).map((t) => ({ color: t.color, value: t.value as number })),
    } as FieldConfigSource['defaults']['thresholds'],
    color: { mode: spec.thresholds ? 'thresholds' : 'palette-classic' } as FieldConfigSource['defaults']['color'],
  };
  if (spec.decimals !== undefined) defaults.decimals = spec.decimals;
  if (spec.min !== undefined) defaults.min = spec.min;
  if (spec.max !== undefined) defaults.max = spec.max;
  return { defaults, overrides: [] };
}

function options(spec: PanelSpec): Json {
  switch (spec.kind) {
    case 'timeseries':
      return { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } };
    case 'stat':
      return {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        textMode: 'auto',
        justifyMode: 'auto',
      };
    case 'gauge':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, showThresholdLabels: false, showThresholdMarkers: true };
    case 'bargauge':
      return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
  }
}

/**
 * Renders one board as current Grafana dashboard JSON (for file provisioning), typed by Grafana's
 * published dashboard schema (@grafana/schema, generated from Grafana's own CUE definitions).
 */
export function renderDashboard(board: BoardSpec): Dashboard {
  const dashboard = new dashgen.Dashboard({ title: board.title });
  for (const rowSpec of board.rows) {
    const row = new dashgen.Row({ title: rowSpec.title });
    for (const panel of rowSpec.panels) oldPanel(panel, row);
    dashboard.addRow(row);
  }
  const old = dashboard.generate() as unknown as { title: string; rows: { title: string; panels: { title: string; span: number }[] }[] };

  // Lay the rows out on Grafana's 24-column grid, keeping dash-gen's order and titles.
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  old.rows.forEach((row, r) => {
    const rowPanel: RowPanel = { type: 'row', id: id++, title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] };
    panels.push(rowPanel);
    y += 1;
    let x = 0;
    let rowHeight = 0;
    if (row.panels.length !== board.rows[r]!.panels.length) throw new Error(`row ${row.title}: dash-gen lost panels`);
    row.panels.forEach((p, i) => {
      const spec = board.rows[r]!.panels[i]!;
      if (p.title !== spec.title) throw new Error(`dash-gen reordered panels: ${p.title} ≠ ${spec.title}`);
      const w = spec.width;
      const h = spec.height ?? 8;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const panel: Panel = {
        type: spec.kind,
        id: id++,
        title: spec.title,
        description: spec.description ?? '',
        datasource,
        gridPos: { h, w, x, y },
        targets: spec.queries.map((q, k) => ({
          refId: String.fromCharCode(65 + k),
          datasource,
          expr: q.expr,
          legendFormat: q.legend ?? '__auto',
          range: !(q.instant ?? spec.kind === 'table'),
          instant: q.instant ?? spec.kind === 'table',
          editorMode: 'code',
        })),
        fieldConfig: fieldConfig(spec),
        options: options(spec),
        ...(spec.links
          ? {
              links: spec.links.map((l) => ({
                title: l.title,
                url: l.url,
                targetBlank: true,
                type: 'link' as const,
                icon: 'external link' as const,
                tooltip: '',
                tags: [],
                asDropdown: false,
                includeVars: false,
                keepTime: false,
              })),
            }
          : {}),
      };
      panels.push(panel);
      x += w;
      rowHeight = Math.max(rowHeight, h);
    });
    y += rowHeight;
  });

  return {
    uid: board.uid,
    title: old.title,
    description: board.description,
    tags: ['siliconalley', ...board.tags],
    timezone: 'Asia/Shanghai',
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-7d', to: 'now' },
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    links: [],
    panels,
    templating: {
      list: board.variables.map(
        (v): VariableModel => ({
          name: v,
          label: VARIABLE_QUERIES[v].title,
          type: 'query',
          datasource,
          query: { query: VARIABLE_QUERIES[v].query, refId: `${v}-values` },
          refresh: 2,
          includeAll: true,
          multi: true,
          current: { selected: true, text: ['All'], value: ['$__all'] },
          sort: 1,
        }),
      ),
    },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        {
          // Flags raised and cleared by the alerting service (Grafana annotations API, tags
          // siliconalley + target + the target id + raised/cleared).
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          iconColor: 'red',
          name: 'Target flags',
          // Grafana's tag filter; the schema's TypeScript veneer types `target` as a data query only.
          target: { type: 'tags', tags: ['siliconalley', 'target'], limit: 100, matchAny: false } as unknown as AnnotationQuery['target'],
        },
      ],
    },
  };
}
