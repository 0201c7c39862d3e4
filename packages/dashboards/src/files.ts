import { join, resolve } from 'node:path';
import { BOARDS } from './boards';
import { renderDashboard } from './render';

/** infra/grafana/dashboards: the provisioned folder (infra/grafana/provisioning/dashboards). */
export const dashboardsDir = (): string => resolve(__dirname, '../../../infra/grafana/dashboards');

/** Every board as the file Grafana's file provider reads, keyed by path. */
export function dashboardFiles(): Map<string, string> {
  return new Map(BOARDS.map((b) => [join(dashboardsDir(), `${b.uid}.json`), `${JSON.stringify(renderDashboard(b), null, 2)}\n`]));
}
