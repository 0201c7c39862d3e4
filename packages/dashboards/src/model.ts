// What a board is made of, in the operators' terms. `render.ts` turns it into Grafana JSON.

export const PROMETHEUS_DATASOURCE_UID = 'siliconalley-prometheus';

export type PanelKind = 'timeseries' | 'stat' | 'gauge' | 'table' | 'bargauge';
export type Unit = 'percentunit' | 'short' | 'none' | 's' | 'ms' | 'ops' | 'dateTimeAsIso';

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query (tables, bar gauges of the latest value). */
  instant?: boolean;
}

export interface Threshold {
  color: 'green' | 'yellow' | 'orange' | 'red' | 'blue';
  /** null = the base step. */
  value: number | null;
}

export interface PanelSpec {
  title: string;
  kind: PanelKind;
  queries: Query[];
  /** Grid columns out of 24. */
  width: number;
  height?: number;
  unit?: Unit;
  decimals?: number;
  min?: number;
  max?: number;
  thresholds?: Threshold[];
  description?: string;
  /** Links in the panel header (Grafana panel links), e.g. to the API behind the numbers. */
  links?: { title: string; url: string }[];
  /** Why the panel may legitimately show no data (e.g. no flag raised yet); checked by the proof test. */
  mayBeEmpty?: string;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export type Variable = 'zone' | 'kind' | 'industry';

export interface BoardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: Variable[];
  rows: RowSpec[];
}
