import type { Connection } from '@siliconalley/db';
import { ensureIndexes } from '@siliconalley/db';
import { eventModel } from './events/event.schema';
import { EventRepository } from './events/event.repository';
import { dispositionChunkModel } from './dispositions/disposition.schema';
import { DispositionRepository } from './dispositions/disposition.repository';
import { tokenModel } from './tokens/token.schema';
import { TokenRepository } from './tokens/token.repository';
import { targetAuditModel, targetModel } from './targets/target.schema';
import { TargetRepository } from './targets/target.repository';
import { assessmentHeadModel, assessmentModel, scheduleCursorModel } from './assessments/assessment.schema';
import { AssessmentRepository } from './assessments/assessment.repository';
import { leaseModel } from './leases/lease.schema';
import { LeaseRepository } from './leases/lease.repository';
import { ledgerModel } from './ledgers/ledger.schema';
import { LedgerRepository } from './ledgers/ledger.repository';

export * from './events/event.schema';
export * from './events/event.repository';
export * from './dispositions/disposition.schema';
export * from './dispositions/disposition.repository';
export * from './tokens/token.schema';
export * from './tokens/token.repository';
export * from './targets/target.schema';
export * from './targets/target.repository';
export * from './assessments/assessment.schema';
export * from './assessments/assessment.repository';
export * from './leases/lease.schema';
export * from './leases/lease.repository';
export * from './ledgers/ledger.schema';
export * from './ledgers/ledger.repository';
export * from './ledgers/settlement';

export interface Store {
  events: EventRepository;
  dispositions: DispositionRepository;
  tokens: TokenRepository;
  /** Operator-managed targets and their audit log. */
  targets: TargetRepository;
  /** Published assessment versions and the scheduler's cursor. */
  assessments: AssessmentRepository;
  leases: LeaseRepository;
  /** Ingestion's counts per source partition, kept as records are settled. */
  ledgers: LedgerRepository;
  /** The explicit index-creation step. */
  ensureIndexes: () => Promise<void>;
}

export function createStore(conn: Connection): Store {
  const events = new EventRepository(eventModel(conn));
  const dispositions = new DispositionRepository(dispositionChunkModel(conn), events.model);
  const tokens = new TokenRepository(tokenModel(conn));
  const targets = new TargetRepository(targetModel(conn), targetAuditModel(conn));
  const assessments = new AssessmentRepository(assessmentModel(conn), assessmentHeadModel(conn), scheduleCursorModel(conn));
  const leases = new LeaseRepository(leaseModel(conn));
  const ledgers = new LedgerRepository(ledgerModel(conn));
  return {
    events,
    dispositions,
    tokens,
    targets,
    assessments,
    leases,
    ledgers,
    ensureIndexes: () =>
      ensureIndexes([
        events.model,
        dispositions.model,
        tokens.model,
        targets.model,
        targets.auditModel,
        assessments.model,
        assessments.headModel,
        assessments.cursorModel,
        leases.model,
        ledgers.model,
      ]),
  };
}
