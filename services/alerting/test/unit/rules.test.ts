// The Prometheus alert rules: generated from the targets configuration (the checked-in file must be
// a fresh generation), valid for promtool, every rule unit-tested (infra/prometheus/tests), and
// every runbook link pointing at an anchor of docs/runbooks.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_TARGETS, parseTargetDefinitions } from '@siliconalley/targets';
import { promtoolBinary, toolMissingHint } from '@siliconalley/testkit';
import { DEFAULT_RUNBOOK_BASE, ruleGroups, rulesYaml, type RuleGroup } from '../../src/rules';

const root = join(__dirname, '../../../..');
const rulesFile = join(root, 'infra/prometheus/rules/targets.yml');
const testsDir = join(root, 'infra/prometheus/tests');
const testFiles = readdirSync(testsDir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(testsDir, f));

/** promtool of the Prometheus release docker-compose.yml runs (versions.env; bootstrap.sh builds it). */
function promtool(...args: string[]): { code: number | null; output: string } {
  const binary = promtoolBinary();
  const run = spawnSync(binary, args, { encoding: 'utf8' });
  if (run.error) throw new Error(toolMissingHint(binary, run.error));
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('infra/prometheus/rules/targets.yml', () => {
  it('is a fresh generation from the default targets (run `npm run rules -w @siliconalley/service-alerting` after a change)', () => {
    expect(readFileSync(rulesFile, 'utf8')).toBe(rulesYaml(DEFAULT_TARGETS));
  });

  it('passes promtool check rules', () => {
    const { code, output } = promtool('check', 'rules', rulesFile);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  });

  it.each(testFiles.map((f) => [f.slice(root.length + 1), f]))('%s passes promtool test rules', (_name, file) => {
    const { code, output } = promtool('test', 'rules', file);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('has a firing unit test for every rule (per target for target rules)', () => {
    const fired = new Set<string>();
    for (const file of testFiles) {
      const doc = parse(readFileSync(file, 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts: { exp_labels?: Record<string, string> }[] }[] }[];
      };
      for (const t of doc.tests) {
        // Rules of API-managed targets (managed="api") have no target of their own: keyed by '' like the fixed rules.
        for (const a of t.alert_rule_test ?? [])
          for (const e of a.exp_alerts) fired.add(`${a.alertname}/${e.exp_labels?.managed === 'api' ? '' : (e.exp_labels?.target ?? '')}`);
      }
    }
    const groups = (parse(readFileSync(rulesFile, 'utf8')) as { groups: RuleGroup[] }).groups;
    const rules = groups.flatMap((g) => g.rules.map((r) => `${r.alert}/${r.labels.target ?? ''}`));
    expect(rules.filter((r) => !fired.has(r))).toEqual([]);
  });

  it('gives every rule a severity, summary, description and a runbook that exists in docs/runbooks.md', () => {
    const runbooks = readFileSync(join(root, DEFAULT_RUNBOOK_BASE), 'utf8');
    for (const rule of ruleGroups(DEFAULT_TARGETS).flatMap((g) => g.rules)) {
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(20);
      const [base, anchor] = rule.annotations.runbook_url.split('#');
      expect(base).toBe(DEFAULT_RUNBOOK_BASE);
      expect(runbooks).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('follows the configuration: an operator target gets its own rules', () => {
    const operator = parseTargetDefinitions([
      ...DEFAULT_TARGETS,
      {
        id: 'QL_HNTE',
        kpi: 'certified_firms',
        scope: 'zone:QL',
        kind: 'HNTE',
        baselineDate: '2024-12-31',
        target: { multiplier: 1.2 },
        due: '2026-12-31',
        method: 'linear-v1',
      },
    ]);
    const rules = ruleGroups(operator, 'https://docs.example/docs/runbooks.md')
      .flatMap((g) => g.rules)
      .filter((r) => r.labels.target === 'QL_HNTE');
    expect(rules.map((r) => [r.alert, r.labels.severity])).toEqual([
      ['TargetFlagged', 'warning'],
      ['TargetMissed', 'critical'],
    ]);
    expect(rules[0]!.expr).toContain('target="QL_HNTE"');
    expect(rules[0]!.annotations.runbook_url).toBe('https://docs.example/docs/runbooks.md#runbook-target-lagging');
  });

  it('covers API-managed targets with rules keyed by the target label, excluding the configured ids', () => {
    const managed = ruleGroups(DEFAULT_TARGETS)
      .flatMap((g) => g.rules)
      .filter((r) => r.labels.managed === 'api');
    expect(managed.map((r) => [r.alert, r.labels.severity, r.labels.target])).toEqual([
      ['TargetFlagged', 'warning', undefined],
      ['TargetMissed', 'critical', undefined],
    ]);
    expect(managed[0]!.expr).toBe(
      'max by (target) (last_over_time(siliconalley_target_flagged{target!~"T6_ZONE_SHARE|T32_SERVICE_PLATFORMS|TASKS_COMPLETED"}[15m])) == 1',
    );
    expect(managed[1]!.expr).toBe(
      'max by (target) (siliconalley_target_status{target!~"T6_ZONE_SHARE|T32_SERVICE_PLATFORMS|TASKS_COMPLETED",status="missed"}) == 1',
    );
  });
});
