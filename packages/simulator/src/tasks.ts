// Quarterly progress reports on the plan's 34 tasks, from the task force on behalf of the lead (or
// a cooperating) department: sent in the weeks after each quarter, some late, some re-reported,
// now and then from a department that is not on the task.
import { FIRST_REPORTING_QUARTER, PLAN_TASKS, formatQuarter, quarterLastDay, type Quarter, type TaskStatus } from '@siliconalley/plan';
import { DAY_MS, dayOf, timestamp } from './calendar';
import { Dice, mix } from './dice';
import { RATES, sendBroken, type Draft, type SimulationWindow } from './firms';
import { encode, encodeDuplicate, type ContentMode, type SimEvent, type SimulatedRecord } from './records';

const TASK_SOURCE = 'urn:dongcheng:taskforce';

const nextQuarter = (q: Quarter): Quarter =>
  q.quarter === 4 ? { year: q.year + 1, quarter: 1 } : { year: q.year, quarter: (q.quarter + 1) as Quarter['quarter'] };

/** Appends every task report due by the end of the window to `out`. */
export function taskReports(window: SimulationWindow, out: Draft[]): void {
  const { seed, fromDay, toDay } = window;
  const push = (at: number, record: SimulatedRecord) => out.push({ at, seq: out.length, record });
  for (const task of PLAN_TASKS) {
    const dice = new Dice(mix(seed ^ 0x7a5c0de, task.id));
    let percent = 0;
    let status: TaskStatus = 'not_started';
    // Tasks move at their own pace; some stall for a while (blocked).
    const pace = dice.between(5, 30);
    let serial = 0;
    for (let q = FIRST_REPORTING_QUARTER; ; q = nextQuarter(q)) {
      const period = formatQuarter(q);
      const reportDay = dayOf(quarterLastDay(period)) + dice.between(3, 25);
      if (reportDay > toDay) break;
      if (status !== 'completed') {
        if (status !== 'blocked' && dice.chance(0.07)) status = 'blocked';
        else {
          percent = Math.min(100, percent + dice.between(0, pace));
          status = percent === 0 ? 'not_started' : percent === 100 ? 'completed' : 'in_progress';
        }
      }
      let sentDay = reportDay;
      if (dice.chance(RATES.late)) sentDay = Math.min(toDay, reportDay + dice.between(60, 200));
      if (sentDay < fromDay) sentDay = Math.min(toDay, fromDay + dice.between(0, 30));
      const department = dice.chance(0.8) || task.cooperating.length === 0 ? task.lead[0]! : dice.pick(task.cooperating);
      const report = (ms: number): SimEvent => ({
        id: `task-${task.id}-${period}-${serial++}`,
        source: TASK_SOURCE,
        type: 'task.progress.reported',
        time: timestamp(ms, dice.chance(RATES.chinaOffsetTime)),
        subject: String(task.id),
        data: { taskId: task.id, department, period, status, percentComplete: percent, narrative: `${period}：${task.name}，完成${percent}%` },
      });
      const ms = sentDay * DAY_MS + dice.between(0, 86_399) * 1000;
      const event = report(ms);
      const mode: ContentMode = dice.chance(RATES.binaryMode) ? 'binary' : 'structured';
      if (dice.chance(RATES.broken * 3)) sendBroken(dice, event, mode, ms, push, `${event.id}-x`);
      push(ms, encode(event, mode));
      if (dice.chance(RATES.duplicate)) push(ms + DAY_MS, encodeDuplicate(dice, event, mode, event.time));
      // A re-report of the same quarter (a new id): the latest time wins.
      if (dice.chance(0.03) && sentDay + 1 <= toDay) push(ms + DAY_MS, encode(report(ms + DAY_MS), mode));
    }
  }
}
