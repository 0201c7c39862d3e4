import {
  compareReports,
  departmentScorecard,
  reportDueQuarter,
  scoreOfDepartment,
  taskStatusOn,
  tasksCompletedOn,
  formatQuarter,
  type TaskReport,
  type TaskStatus,
} from '../../src';

let counter = 0;
function report(taskId: number, period: string, status: TaskStatus, opts: { time?: string; id?: string; percent?: number } = {}): TaskReport {
  counter += 1;
  return {
    id: opts.id ?? `r-${String(counter).padStart(4, '0')}`,
    time: opts.time ?? '2025-01-10T00:00:00Z',
    data: { taskId, period, status, percentComplete: opts.percent ?? (status === 'completed' ? 100 : 50) },
  };
}

const statusOf = (reports: TaskReport[], taskId: number, d: string) => taskStatusOn(reports, d).find((s) => s.task.id === taskId)!;

describe('compareReports: period end, then time, then id', () => {
  it('orders by period first, whatever the time', () => {
    const early = report(1, '2025-Q1', 'in_progress', { time: '2025-09-01T00:00:00Z' });
    const late = report(1, '2025-Q2', 'in_progress', { time: '2025-07-01T00:00:00Z' });
    expect(compareReports(early, late)).toBeLessThan(0);
  });

  it('compares times as instants, then ids', () => {
    const a = report(1, '2025-Q1', 'in_progress', { time: '2025-04-02T08:00:00+08:00', id: 'b' });
    const b = report(1, '2025-Q1', 'in_progress', { time: '2025-04-01T23:30:00Z', id: 'a' });
    expect(compareReports(a, b)).toBeGreaterThan(0); // 2025-04-02T00:00Z is after 2025-04-01T23:30Z, though 'a' < 'b'
    const sameInstant = report(1, '2025-Q1', 'in_progress', { time: '2025-04-02T00:00:00Z', id: 'a' });
    expect(compareReports(a, sameInstant)).toBeGreaterThan(0); // same instant: id b > a
  });
});

describe('taskStatusOn', () => {
  it('uses the latest report whose period ends on or before d', () => {
    const reports = [
      report(1, '2024-Q3', 'in_progress', { percent: 10 }),
      report(1, '2024-Q4', 'in_progress', { percent: 30 }),
      report(1, '2025-Q1', 'completed'),
    ];
    expect(statusOf(reports, 1, '2024-09-29')).toMatchObject({ status: null, percentComplete: null, report: null });
    expect(statusOf(reports, 1, '2024-09-30')).toMatchObject({ status: 'in_progress', percentComplete: 10 });
    expect(statusOf(reports, 1, '2025-03-30')).toMatchObject({ status: 'in_progress', percentComplete: 30 });
    expect(statusOf(reports, 1, '2025-03-31')).toMatchObject({ status: 'completed', percentComplete: 100 });
  });

  it('lets a later report for the same period correct an earlier one (time, then id)', () => {
    const first = report(2, '2025-Q1', 'completed', { time: '2025-04-01T00:00:00Z', id: 'z' });
    const correction = report(2, '2025-Q1', 'in_progress', { time: '2025-04-03T00:00:00Z', id: 'a' });
    expect(statusOf([correction, first], 2, '2025-06-01').status).toBe('in_progress');
    const tieA = report(2, '2025-Q1', 'blocked', { time: '2025-04-05T00:00:00Z', id: 'a' });
    const tieB = report(2, '2025-Q1', 'completed', { time: '2025-04-05T00:00:00Z', id: 'b' });
    expect(statusOf([tieB, tieA], 2, '2025-06-01').status).toBe('completed');
  });

  it('ignores arrival order and reports of other tasks', () => {
    const reports = [report(3, '2025-Q2', 'completed'), report(3, '2025-Q1', 'in_progress'), report(4, '2025-Q3', 'completed')];
    expect(statusOf(reports, 3, '2025-12-31').status).toBe('completed');
    expect(tasksCompletedOn(reports, '2025-12-31')).toBe(2);
    expect(tasksCompletedOn(reports, '2025-09-29')).toBe(1);
    expect(taskStatusOn(reports, '2025-12-31')).toHaveLength(34);
  });

  describe('overdue: no report for the last closed quarter', () => {
    it('is due only from the first quarter of the plan on, and never beyond 2026-Q4', () => {
      expect(reportDueQuarter('2024-09-30')).toBeNull();
      expect(formatQuarter(reportDueQuarter('2024-10-01')!)).toBe('2024-Q3');
      expect(formatQuarter(reportDueQuarter('2026-12-31')!)).toBe('2026-Q3');
      expect(formatQuarter(reportDueQuarter('2027-06-30')!)).toBe('2026-Q4');
    });

    it('flags a task once the quarter closes without its report', () => {
      const reports = [report(5, '2024-Q3', 'in_progress'), report(5, '2024-Q4', 'in_progress')];
      expect(statusOf(reports, 5, '2025-03-31')).toMatchObject({ overdue: false, dueQuarter: '2024-Q4' });
      expect(statusOf(reports, 5, '2025-04-01')).toMatchObject({ overdue: true, dueQuarter: '2025-Q1' });
      expect(statusOf([], 6, '2024-09-30').overdue).toBe(false);
      expect(statusOf([], 6, '2024-10-01').overdue).toBe(true);
    });

    it('counts a report for the due quarter even if it has no successor, and spares completed tasks', () => {
      const reports = [report(7, '2025-Q1', 'completed')];
      expect(statusOf(reports, 7, '2025-04-01').overdue).toBe(false);
      expect(statusOf(reports, 7, '2026-01-01').overdue).toBe(false);
    });
  });

  describe('blocked: flagged at once', () => {
    it('is raised by a blocked report as soon as its period has begun', () => {
      const reports = [report(9, '2025-Q2', 'in_progress'), report(9, '2025-Q3', 'blocked', { time: '2025-08-01T00:00:00Z' })];
      expect(statusOf(reports, 9, '2025-06-30').blocked).toBe(false);
      const on = statusOf(reports, 9, '2025-07-01');
      expect(on.blocked).toBe(true);
      expect(on.status).toBe('in_progress'); // the status still waits for the period to end
      expect(statusOf(reports, 9, '2025-09-30').status).toBe('blocked');
    });

    it('is lifted by a later report', () => {
      const reports = [report(9, '2025-Q2', 'blocked'), report(9, '2025-Q3', 'in_progress')];
      expect(statusOf(reports, 9, '2025-06-30').blocked).toBe(true);
      expect(statusOf(reports, 9, '2025-07-01').blocked).toBe(false);
    });
  });
});

describe('departmentScorecard', () => {
  const reports = [
    report(14, '2025-Q1', 'completed'), // led by 区国资委
    report(29, '2025-Q1', 'blocked'), // led by 区财政局 and 区国资委
    report(31, '2025-Q1', 'in_progress'), // led by 区房管局
    report(1, '2025-Q1', 'completed'), // led by 东城园管委会区科委
  ];
  const card = departmentScorecard(reports, '2025-04-01');

  it('has one row per normalised department', () => {
    expect(card.map((s) => s.department)).toHaveLength(19);
    expect(card.find((s) => s.department === '东城区管委会区科委')).toBeUndefined();
  });

  it('counts the tasks a department leads, each lead of a shared task included', () => {
    expect(scoreOfDepartment(card, '区国资委')).toEqual({
      department: '区国资委',
      ledTaskIds: [14, 22, 23, 24, 29],
      cooperatingTaskIds: [19, 20, 21, 25],
      completed: 1,
      overdue: 3, // 22, 23, 24 have no 2025-Q1 report; 29 reported (blocked)
      blocked: 1,
    });
    expect(scoreOfDepartment(card, '东城区财政局')).toMatchObject({ ledTaskIds: [22, 29], blocked: 1, overdue: 1 });
    expect(scoreOfDepartment(card, '区房管局')).toMatchObject({ ledTaskIds: [31], completed: 0, overdue: 0, blocked: 0 });
  });

  it('counts the typo-named tasks 27 and 28 for 东城园管委会区科委', () => {
    const row = scoreOfDepartment(card, '区科委')!;
    expect(row.department).toBe('东城园管委会区科委');
    expect(row.ledTaskIds).toEqual(expect.arrayContaining([27, 28]));
    expect(row.ledTaskIds).toHaveLength(29);
    expect(row.completed).toBe(1);
    expect(row.overdue).toBe(28);
  });

  it('gives bodies that only cooperate an empty lead record', () => {
    expect(scoreOfDepartment(card, '区城管局')).toEqual({
      department: '区城管局',
      ledTaskIds: [],
      cooperatingTaskIds: [25],
      completed: 0,
      overdue: 0,
      blocked: 0,
    });
  });
});
