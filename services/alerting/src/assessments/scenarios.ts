// The what-if section of an assessment: the targets at the headline target's due date if the pending
// certifications come through — every renewal due granted on time, or every next-tier firm certified
// — built from the period's action lists as the assessment keeps them (the first entries of each, in
// the lists' order) and judged like POST /what-if (nothing stored).
import { MAX_WHAT_IF_EVENTS } from '@siliconalley/api';
import { addDays, fullType, type IsoDate } from '@siliconalley/contract';
import type { AssessedWhatIf, WhatIfScenario } from '@siliconalley/assessments';
import type { ActionLists } from '@siliconalley/kpi-engine';
import type { TargetDefinition } from '@siliconalley/targets';
import type { WhatIf } from '../what-if';

const SOURCE = 'urn:siliconalley:assessment-what-if';

function granted(uscc: string, kind: string, certificateNo: string, validFrom: IsoDate, time: string, id: string): object {
  return {
    specversion: '1.0',
    id,
    source: SOURCE,
    type: fullType('certification.granted'),
    time,
    subject: uscc,
    datacontenttype: 'application/json',
    data: { uscc, kind, level: 'national', certificateNo, validFrom, validUntil: null, issuer: null, batch: null },
  };
}

/** Renewals granted the day each certificate lapses (at the latest on the due date); next tier certified HNTE the day after the period. */
export async function pendingScenarios(whatIf: WhatIf, headline: TargetDefinition, asOf: IsoDate, lists: ActionLists, now: Date): Promise<AssessedWhatIf> {
  const due = headline.due;
  const time = now.toISOString();
  const byDue = (day: IsoDate) => (day < due ? day : due);
  const renewals = lists.renewalsDue.map((e) => {
    const [first] = e.certificates;
    return granted(e.uscc, first!.kind, `${first!.certificateNo}-renewal`, byDue(e.lapsesOn), time, `renewal-${e.uscc}-${asOf}`);
  });
  const nextTier = lists.nextTier.map((e) => granted(e.uscc, 'HNTE', `${e.certificateNo}-hnte`, byDue(addDays(asOf, 1)), time, `next-tier-${e.uscc}-${asOf}`));
  const scenarios: WhatIfScenario[] = [];
  let baseline: AssessedWhatIf['baseline'] = [];
  for (const [id, events] of [
    ['renewals_granted', renewals],
    ['next_tier_certified', nextTier],
  ] as const) {
    // The API takes at most 1,000 events per what-if: a longer list is judged on its first 1,000,
    // and `events` counts the events applied, not the list's entries.
    const judged = events.slice(0, MAX_WHAT_IF_EVENTS);
    const answer = await whatIf.judge(due, { events: judged });
    baseline = answer.baseline;
    scenarios.push({ id, events: judged.length - answer.rejected.length - answer.duplicates.length, targets: answer.targets });
  }
  return { asOf: due, baseline, scenarios };
}
