import { normaliseAction, PLAN_TASKS, PLAN_TITLE, TASK_COUNT, taskById } from '../../src';
import bundled from '../../src/tasks.json';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_DIR } from '../shared-fixture';

describe('the plan tasks', () => {
  it('bundles shared/spec/tasks.json unchanged', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'spec', 'tasks.json'), 'utf8')) as unknown;
    expect(bundled).toEqual(spec);
  });

  it('has 34 tasks numbered 1..34', () => {
    expect(TASK_COUNT).toBe(34);
    expect(PLAN_TASKS.map((t) => t.id)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
    expect(PLAN_TITLE).toContain('硅巷');
  });

  it('finds a task by id', () => {
    expect(taskById(6)?.name).toContain('专精特新');
    expect(taskById(14)?.lead).toEqual(['区国资委']);
    expect(taskById(35)).toBeUndefined();
  });

  it('fixes the special-action typo', () => {
    expect(normaliseAction('创党建联促共进专项行动')).toBe('科创党建联促共进专项行动');
    expect([32, 33, 34].map((id) => taskById(id)?.action)).toEqual(Array(3).fill('科创党建联促共进专项行动'));
    expect(PLAN_TASKS.some((t) => t.action === '创党建联促共进专项行动')).toBe(false);
    expect(new Set(PLAN_TASKS.map((t) => t.action)).size).toBe(6);
  });

  it('normalises department names of the annex', () => {
    expect(taskById(27)?.lead).toEqual(['东城园管委会区科委']);
    expect(taskById(28)?.lead).toEqual(['东城园管委会区科委']);
    // Task 29 names 区财政局 as lead and as cooperating department; each list keeps it once.
    expect(taskById(29)?.lead).toEqual(['区财政局', '区国资委']);
    expect(taskById(29)?.cooperating).toEqual(['区财政局', '东城园管委会区科委']);
    expect(taskById(8)?.cooperating).toEqual([]);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(PLAN_TASKS)).toBe(true);
    expect(Object.isFrozen(taskById(1))).toBe(true);
  });
});
