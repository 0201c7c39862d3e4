import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { BOARDS, PROMETHEUS_DATASOURCE_UID, dashboardFiles, dashboardsDir, renderDashboard } from '../../src';

type Panel = {
  type: string;
  id: number;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: { expr: string; refId: string; datasource: { uid: string } }[];
  fieldConfig?: { defaults: { unit: string } };
};

describe('generated dashboards', () => {
  it('are checked in exactly as a fresh generation writes them (npm run generate -w @siliconalley/dashboards)', () => {
    const files = dashboardFiles();
    for (const [path, text] of files) {
      expect(existsSync(path)).toBe(true);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
    const checkedIn = readdirSync(dashboardsDir()).filter((f) => f.endsWith('.json'));
    expect(checkedIn.sort()).toEqual([...files.keys()].map((p) => basename(p)).sort());
  });

  it('render the same JSON twice (stable ids and layout)', () => {
    for (const board of BOARDS) expect(renderDashboard(board)).toEqual(renderDashboard(board));
  });

  it.each(BOARDS.map((b) => [b.uid, b] as const))('%s has the structure Grafana provisioning needs', (_uid, board) => {
    const json = renderDashboard(board) as {
      uid: string;
      title: string;
      schemaVersion: number;
      panels: Panel[];
      templating: { list: { name: string; datasource: { uid: string } }[] };
    };
    expect(json.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(json.schemaVersion).toBeGreaterThanOrEqual(36);
    // Every panel of the board is there, in order, after its row.
    expect(json.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(board.rows.map((r) => r.title));
    expect(json.panels.filter((p) => p.type !== 'row').map((p) => p.title)).toEqual(board.rows.flatMap((r) => r.panels.map((p) => p.title)));
    const ids = json.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    // No panel leaves the 24-column grid, and no two panels overlap.
    for (const p of json.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.gridPos.w).toBeGreaterThan(0);
    }
    for (const a of json.panels) {
      for (const b of json.panels) {
        if (a === b) continue;
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap).toBe(false);
      }
    }
    for (const p of json.panels.filter((x) => x.type !== 'row')) {
      expect(['timeseries', 'stat', 'gauge', 'table', 'bargauge']).toContain(p.type);
      expect(p.datasource?.uid).toBe(PROMETHEUS_DATASOURCE_UID);
      expect(p.targets!.length).toBeGreaterThan(0);
      for (const t of p.targets!) {
        expect(t.expr.trim()).not.toBe('');
        expect(t.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
      }
      expect(p.fieldConfig?.defaults.unit).toBeTruthy();
    }
    for (const v of json.templating.list) expect(v.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
  });

  it('pin the datasource uid that Grafana provisioning declares', () => {
    const provisioning = readFileSync(`${dashboardsDir()}/../provisioning/datasources/prometheus.yml`, 'utf8');
    expect(provisioning).toContain(`uid: ${PROMETHEUS_DATASOURCE_UID}`);
  });
});
