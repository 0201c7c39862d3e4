import { alertingConfigSchema } from '../../src/config';
import { loadTargets } from '../../src/targets-file';
import { DEFAULT_TARGETS } from '@siliconalley/targets';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('alerting config', () => {
  /** The internal API's shared secret, required (packages/config apiEnv). */
  const secret = { INTERNAL_API_SECRET: 'x'.repeat(32) };

  it('has the local defaults and splits INDICATOR_URL', () => {
    const c = alertingConfigSchema.parse({ ...secret, INDICATOR_URL: 'http://a:9114, http://b:9114' });
    expect(c).toMatchObject({ OPS_PORT: 9105, HTTP_PORT: 9115, INDICATOR_URL: ['http://a:9114', 'http://b:9114'], EVALUATION_INTERVAL_SECONDS: 60 });
    expect(c.TARGETS_FILE).toBeUndefined();
  });

  it('listens on loopback by default and will not start without INTERNAL_API_SECRET', () => {
    expect(alertingConfigSchema.parse(secret)).toMatchObject({ HTTP_HOST: '127.0.0.1', OPS_HOST: '127.0.0.1' });
    const missing = alertingConfigSchema.safeParse({});
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['INTERNAL_API_SECRET']);
  });

  it('wants GRAFANA_URL and GRAFANA_TOKEN together', () => {
    expect(alertingConfigSchema.safeParse({ ...secret, GRAFANA_URL: 'http://grafana:3000' }).success).toBe(false);
    expect(alertingConfigSchema.safeParse({ ...secret, GRAFANA_TOKEN: 'glsa_x' }).success).toBe(false);
    expect(alertingConfigSchema.safeParse({ ...secret, GRAFANA_URL: 'http://grafana:3000', GRAFANA_TOKEN: 'glsa_x' }).success).toBe(true);
  });

  it('loads operator targets from TARGETS_FILE, validated, or the plan targets without one', () => {
    expect(loadTargets(undefined)).toBe(DEFAULT_TARGETS);
    const dir = mkdtempSync(join(tmpdir(), 'sa-targets-'));
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify([
        { id: 'X', kpi: 'qualified_firms', scope: 'district', baselineDate: '2024-12-31', target: { multiplier: 1.1 }, due: '2026-12-31', method: 'linear-v1' },
      ]),
    );
    expect(loadTargets(good).map((t) => t.id)).toEqual(['X']);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([
        { id: 'X', kpi: 'qualified_firms', scope: 'city', baselineDate: '2024-12-31', target: { value: 1 }, due: '2023-12-31', method: 'linear-v1' },
      ]),
    );
    expect(() => loadTargets(bad)).toThrow(/scope[\s\S]*due must be after baselineDate/);
  });
});
