import * as path from 'node:path';
import { departments, isDepartmentOnTask, isKnownDepartment, normaliseDepartment, PLAN_TASKS, taskById } from '../../src';
import { readJsonLines, SMALL_FIXTURE_DIR } from '../shared-fixture';

describe('normaliseDepartment', () => {
  it('fixes the annex typo of kpis.md', () => {
    expect(normaliseDepartment('东城区管委会区科委')).toBe('东城园管委会区科委');
  });

  it('keeps 区城管局 and 区城市管理委 apart: they are different bodies', () => {
    expect(normaliseDepartment('区城管局')).toBe('区城管局');
    expect(normaliseDepartment('区城市管理委')).toBe('区城市管理委');
    expect(normaliseDepartment('区城管委')).toBe('区城市管理委');
    expect(normaliseDepartment('东城区城管局')).toBe('区城管局');
    expect(isDepartmentOnTask(25, '区城管局')).toBe(true);
    expect(isDepartmentOnTask(25, '区城市管理委')).toBe(false);
    expect(isDepartmentOnTask(7, '区城市管理委')).toBe(true);
    expect(isDepartmentOnTask(7, '区城管局')).toBe(false);
  });

  it.each([
    ['区科委', '东城园管委会区科委'],
    ['中关村东城园管委会', '东城园管委会区科委'],
    ['东城区科委', '东城园管委会区科委'],
    ['区发改委', '区发展改革委'],
    ['北京市东城区发展和改革委员会', '区发展改革委'],
    ['东城区财政局', '区财政局'],
    ['区经信局', '区经济和信息化局'],
    ['区住建委', '区住房城市建设委'],
    ['北京市规划和自然资源委员会东城分局', '市规划自然资源委东城分局'],
    ['北新桥街道办事处', '北新桥街道'],
    ['北京市东城区北新桥街道办事处', '北新桥街道'],
    ['区卫健委', '区卫生健康委'],
    ['区市场监督管理局', '区市场监管局'],
  ])('%s is %s', (sent, canonical) => {
    expect(normaliseDepartment(sent)).toBe(canonical);
  });

  it('ignores stray whitespace and full-width forms', () => {
    expect(normaliseDepartment(' 区财政局\u3000')).toBe('区财政局');
    expect(normaliseDepartment('区 国资委')).toBe('区国资委');
  });

  it('returns an unknown body tidied but unchanged, and does not know it', () => {
    expect(normaliseDepartment('区教委')).toBe('区教委');
    expect(normaliseDepartment('东城区教委')).toBe('东城区教委');
    expect(isKnownDepartment('区教委')).toBe(false);
    expect(isKnownDepartment('东城区财政局')).toBe(true);
  });

  it('knows every department named in the annex, and lists them once, normalised', () => {
    const listed = departments();
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toHaveLength(19);
    expect(listed).not.toContain('东城区管委会区科委');
    for (const name of listed) {
      expect(isKnownDepartment(name)).toBe(true);
      expect(normaliseDepartment(name)).toBe(name);
    }
    for (const task of PLAN_TASKS) for (const d of [...task.lead, ...task.cooperating]) expect(listed).toContain(d);
  });
});

describe('isDepartmentOnTask', () => {
  it('accepts lead and cooperating departments, by any of their names', () => {
    expect(isDepartmentOnTask(14, '区国资委')).toBe(true); // lead
    expect(isDepartmentOnTask(14, '东城园管委会区科委')).toBe(true); // cooperating
    expect(isDepartmentOnTask(14, '区科委')).toBe(true);
    expect(isDepartmentOnTask(27, '东城园管委会区科委')).toBe(true); // annex typo on task 27
    expect(isDepartmentOnTask(27, '东城区管委会区科委')).toBe(true);
  });

  it('rejects bodies not on the task and unknown tasks', () => {
    expect(isDepartmentOnTask(8, '区财政局')).toBe(false); // task 8 has no cooperating department
    expect(isDepartmentOnTask(1, '区教委')).toBe(false);
    expect(isDepartmentOnTask(35, '东城园管委会区科委')).toBe(false);
    expect(taskById(0)).toBeUndefined();
  });

  it('agrees with the fixture: accepted reports are on their task, unauthorized ones stay off it', () => {
    const records = readJsonLines<{ topic: string; headers: Record<string, string>; value: string }>(path.join(SMALL_FIXTURE_DIR, 'events.jsonl'));
    const dispositions = readJsonLines<{ line: number; disposition: string; reason: string | null }>(path.join(SMALL_FIXTURE_DIR, 'dispositions.jsonl'));
    let onTask = 0;
    let offTask = 0;
    records.forEach((record, i) => {
      if (record.topic !== 'siliconalley.task.v1') return;
      const value = JSON.parse(record.value) as { data?: { taskId: number; department: string } } & { taskId: number; department: string };
      const data = value.data ?? value;
      const disposition = dispositions[i]!;
      if (disposition.reason === 'unauthorized_department') {
        expect(isDepartmentOnTask(data.taskId, data.department)).toBe(false);
        offTask += 1;
      } else if (disposition.disposition !== 'rejected') {
        expect(isDepartmentOnTask(data.taskId, data.department)).toBe(true);
        onTask += 1;
      }
    });
    expect(offTask).toBe(6);
    expect(onTask).toBeGreaterThan(200);
  });
});
