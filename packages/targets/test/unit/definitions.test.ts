import { DEFAULT_TARGETS, isTargetId, parseTargetDefinitions, TargetDefinitionError, TARGET_ID_PATTERN } from '../../src';

const valid = {
  id: 'T_NEW',
  kpi: 'qualified_firms',
  scope: 'zone:QL',
  baselineDate: '2024-12-31',
  target: { value: 80 },
  due: '2026-12-31',
  method: 'linear-v1',
};

function problemsOf(json: unknown): string[] {
  try {
    parseTargetDefinitions(json);
  } catch (error) {
    expect(error).toBeInstanceOf(TargetDefinitionError);
    return [...(error as TargetDefinitionError).problems];
  }
  throw new Error('expected parseTargetDefinitions to throw');
}

describe('target definitions', () => {
  it("ships the plan's three targets", () => {
    expect(DEFAULT_TARGETS.map((t) => [t.id, t.kpi, t.scope, t.baselineDate, t.baselineValue, t.target, t.due, t.method])).toEqual([
      ['T6_ZONE_SHARE', 'zone_share', 'zone:QL', '2023-12-31', undefined, { multiplier: 1.5 }, '2026-12-31', 'linear-v1'],
      ['T32_SERVICE_PLATFORMS', 'new_service_platforms', 'district', '2023-12-31', 0, { value: 2 }, '2026-12-31', 'linear-v1'],
      ['TASKS_COMPLETED', 'tasks_completed', 'district', '2024-07-10', 0, { value: 34 }, '2026-12-31', 'linear-v1'],
    ]);
  });

  it("accepts an operator's new target, with labels", () => {
    const parsed = parseTargetDefinitions([
      valid,
      { ...valid, id: 'T_EXP', kpi: 'expiring_certifications', kind: 'HNTE', within: 90, target: { multiplier: 0.5 } },
    ]);
    expect(parsed).toHaveLength(2);
  });

  it('reports every problem with its place', () => {
    const problems = problemsOf([
      { ...valid, scope: 'zone QL' },
      { ...valid, id: 'T2', baselineDate: '2024-02-30' },
      { ...valid, id: 'T3', target: { value: 1, multiplier: 2 } },
      { ...valid, id: 'T4', method: 'linear-v2' },
      { ...valid, id: 'T5', due: '2024-01-01' },
      { ...valid, id: 'T6', extra: true },
    ]);
    const text = problems.join('\n');
    expect(text).toMatch(/targets\[0\]\.scope: must be "district" or "zone:<ID>"/);
    expect(text).toMatch(/targets\[1\]\.baselineDate: must be a calendar date YYYY-MM-DD/);
    expect(text).toMatch(/targets\[2\]\.target: target must be \{ "value": number \} or \{ "multiplier": number \}/);
    expect(text).toMatch(/targets\[3\]\.method/);
    expect(text).toMatch(/targets\[4\]\.due: due must be after baselineDate/);
    expect(text).toMatch(/targets\[5\]: .*extra/);
  });

  it('rejects duplicates and non-arrays', () => {
    expect(problemsOf([valid, valid])).toEqual(['targets: duplicate id "T_NEW"']);
    expect(problemsOf({})).toEqual(['targets: target definitions must be a JSON array']);
  });

  it("has one grammar for target ids: the plan's and the operators' ids are of it; dot segments and the like are not", () => {
    expect(TARGET_ID_PATTERN).toBe('^[A-Z][A-Z0-9_]{0,63}$');
    for (const id of [...DEFAULT_TARGETS.map((t) => t.id), 'T', 'T_NEW', 'OP_QL_QUALIFIED', 'E2E_API', 'QL_QUALIFIED_2026', `T${'_'.repeat(63)}`]) {
      expect({ id, ok: isTargetId(id) }).toEqual({ id, ok: true });
      expect(parseTargetDefinitions([{ ...valid, id }])).toHaveLength(1);
    }
    // `..` and `.` were accepted before and could not be deleted (they are dot segments in a URL path).
    for (const id of ['..', '.', 'a', 'T.1', 'T-1', 'T 1', '_T', '1T', '', `T${'_'.repeat(64)}`, 'T\u0130', '%2E%2E', 'T/1', 'ＴＡＲＧＥＴ']) {
      expect({ id, ok: isTargetId(id) }).toEqual({ id, ok: false });
      expect(problemsOf([{ ...valid, id }])).toEqual([expect.stringMatching(/^targets\[0\]\.id: must be an upper-case letter followed by up to 63/)]);
    }
    expect(isTargetId(42)).toBe(false);
  });
});
