// Action lists and what-if (kpis.md "Action lists (v1)", "What-if (v1)"; api.md "Action lists and
// what-if"). What-if events are judged by the contract as ingestion would (with times up to the asked
// day allowed) and applied in memory by the indicator instances: nothing is stored, published,
// counted or flagged.
import { parseOrProblem, whatIfRequest, type IndicatorClient } from '@siliconalley/api';
import { eventIdentity, judgeStructuredEvents, type AcceptedEvent, type ContractContext } from '@siliconalley/contract';
import { HttpProblem } from '@siliconalley/http';
import { addCounts, type ActionLists, type ActionListsHead, type CountsByDate } from '@siliconalley/kpi-engine';
import type { TaskReport } from '@siliconalley/plan';
import type { TargetDefinition, TargetJudgement } from '@siliconalley/targets';
import { indicatorDatesFor, judgeAll, TASKS_COMPLETED_KPI, targetsOf, type TargetSource } from './evaluate';

export interface WhatIfAnswer {
  asOf: string;
  targets: TargetJudgement[];
  baseline: TargetJudgement[];
  rejected: { index: number; reason: string; detail: string }[];
  duplicates: { index: number; detail: string }[];
}

export interface TargetActions extends ActionLists {
  asOf: string;
  target: string;
  zone: string;
  within: number;
}

export interface WhatIfDeps {
  indicators: Pick<IndicatorClient, 'whatIf' | 'taskReports' | 'actions'>;
  definitions: TargetSource;
  /** Legacy codes accepted as USCCs (LEGACY_USCC_ALLOWLIST, as ingestion has it). */
  legacyUsccAllowList?: ReadonlySet<string>;
  now?: () => Date;
}

/** Noon of a China calendar day: its China date is that day whatever the rounding. */
const chinaNoon = (date: string) => new Date(`${date}T12:00:00+08:00`);

export class WhatIf {
  private readonly now: () => Date;

  constructor(private readonly deps: WhatIfDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private async definitions(): Promise<readonly TargetDefinition[]> {
    return targetsOf(this.deps.definitions);
  }

  /**
   * The action lists of a zone-share target (GET /targets/{id}/actions: whole). With `limit`: the
   * first `limit` entries of each list and the whole lists' `lengths`, at O(limit) per instance.
   */
  async actions(targetId: string, asOf: string, within: number): Promise<TargetActions>;
  async actions(targetId: string, asOf: string, within: number, limit: number): Promise<TargetActions & ActionListsHead>;
  async actions(targetId: string, asOf: string, within: number, limit?: number): Promise<TargetActions> {
    const target = (await this.definitions()).find((t) => t.id === targetId);
    if (!target) throw new HttpProblem(404, `no target ${JSON.stringify(targetId)}; GET /api/v1/targets lists them`);
    if (target.kpi !== 'zone_share' || !target.scope.startsWith('zone:')) {
      throw new HttpProblem(
        400,
        `${targetId} is a ${target.kpi} target: action lists name the firms that move a zone's share, so only zone_share targets have them`,
      );
    }
    const zone = target.scope.slice('zone:'.length);
    const { indicators } = this.deps;
    const lists = limit === undefined ? await indicators.actions(zone, asOf, within) : await indicators.actions(zone, asOf, within, limit);
    return { asOf, target: targetId, zone, within, ...lists };
  }

  /** POST /what-if?asOf=: the targets on the stored events plus `body.events`, and without them. */
  async judge(asOf: string, body: unknown): Promise<WhatIfAnswer> {
    const request = parseOrProblem(whatIfRequest, body);
    const definitions = await this.definitions();
    // ISO dates compare as text.
    const latestDue = definitions.map((t) => t.due).reduce((max, due) => (due > max ? due : max), '');
    if (asOf > latestDue)
      throw new HttpProblem(400, `asOf ${asOf} is after the latest target due date (${latestDue}): a what-if judges targets up to their due dates`);

    // As ingestion would judge them, except that effective dates up to the asked day are allowed.
    const now = this.now();
    const receivedAt = new Date(Math.max(chinaNoon(asOf).getTime(), now.getTime()));
    const ctx: ContractContext = { receivedAt, legacyUsccAllowList: this.deps.legacyUsccAllowList };
    const rejected: WhatIfAnswer['rejected'] = [];
    const duplicates: WhatIfAnswer['duplicates'] = [];
    const accepted: { index: number; event: AcceptedEvent }[] = [];
    const firstIndex = new Map<string, number>();
    judgeStructuredEvents(request.events, ctx).forEach((verdict, index) => {
      if (!verdict.ok) {
        rejected.push({ index, reason: verdict.reason, detail: verdict.message });
        return;
      }
      const earlier = firstIndex.get(eventIdentity(verdict.event));
      if (earlier !== undefined) {
        duplicates.push({ index, detail: `repeats events[${earlier}] (same source and id): it changes nothing` });
        return;
      }
      firstIndex.set(eventIdentity(verdict.event), index);
      accepted.push({ index, event: verdict.event });
    });

    const dates = indicatorDatesFor(definitions, asOf);
    const needsTasks = definitions.some((t) => t.kpi === TASKS_COMPLETED_KPI);
    const [answer, storedReports] = await Promise.all([
      this.deps.indicators.whatIf(
        accepted.map((a) => a.event),
        dates.length > 0 ? dates : [asOf],
      ),
      needsTasks ? this.deps.indicators.taskReports() : Promise.resolve([]),
    ]);
    for (const i of answer.duplicates) duplicates.push({ index: accepted[i]!.index, detail: 'an event with this source and id is stored: it changes nothing' });
    duplicates.sort((a, b) => a.index - b.index);

    const fresh = accepted.filter((_, i) => !answer.duplicates.has(i)).map((a) => a.event);
    const reports = storedReports as unknown as TaskReport[];
    const withHypothetical = [...reports, ...(fresh.filter((e) => e.type === 'task.progress.reported') as unknown as TaskReport[])];
    const hypotheticalCounts: CountsByDate = addCounts(addCounts({}, answer.counts), answer.deltas);
    return {
      asOf,
      targets: judgeAll(definitions, asOf, answer.zoneIds, (d) => hypotheticalCounts[d], withHypothetical),
      baseline: judgeAll(definitions, asOf, answer.zoneIds, (d) => answer.counts[d], reports),
      rejected,
      duplicates,
    };
  }
}
