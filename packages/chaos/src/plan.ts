// The fault plan: which fault happens after which publish step, and how long after it. A pure
// function of the seed, so a failing run is repeated exactly with the same seed.
import { seededRandom } from '@siliconalley/testkit';

export type Fault =
  | { kind: 'kill'; service: string; restartAfterMs: number }
  | { kind: 'pause'; service: string; pauseMs: number }
  | { kind: 'restart-broker'; downMs: number }
  | { kind: 'restart-database'; downMs: number };

export interface PlannedFault {
  /** After which publish step (0-based) the fault happens. */
  step: number;
  /** Wait after the step's records are published, before the fault. */
  delayMs: number;
  fault: Fault;
}

export interface PlanOptions {
  seed: number;
  /** Services to SIGKILL: `kills` in all, round-robin (every service at least once when kills ≥ services). */
  services: readonly string[];
  kills: number;
  /** The service to SIGSTOP once, past its session timeout. */
  pauseService: string | null;
  sessionTimeoutMs: number;
  restartBroker: boolean;
  restartDatabase: boolean;
  /** Publish steps the log is split into; faults fall after steps 0 .. steps-2 (the log is still arriving). */
  steps: number;
  /** Largest random wait after a step before its fault. */
  maxDelayMs?: number;
}

export function faultPlan(o: PlanOptions): PlannedFault[] {
  if (o.steps < 2) throw new Error('the log must arrive in at least 2 steps for faults to fall while it is replayed');
  const rnd = seededRandom(o.seed);
  const between = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const faults: Fault[] = [];
  for (let i = 0; i < o.kills; i++) faults.push({ kind: 'kill', service: o.services[i % o.services.length]!, restartAfterMs: between(0, 3000) });
  if (o.pauseService) faults.push({ kind: 'pause', service: o.pauseService, pauseMs: o.sessionTimeoutMs + between(3000, 6000) });
  if (o.restartBroker) faults.push({ kind: 'restart-broker', downMs: between(0, 3000) });
  if (o.restartDatabase) faults.push({ kind: 'restart-database', downMs: between(0, 3000) });
  const maxDelay = o.maxDelayMs ?? 2000;
  const planned = faults.map((fault) => ({ step: between(0, o.steps - 2), delayMs: between(0, maxDelay), fault }));
  // Stable order: by step, then by the drawn delay (ties keep the drawing order).
  return planned
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.step - b.p.step || a.p.delayMs - b.p.delayMs || a.i - b.i)
    .map(({ p }) => p);
}

/** mulberry32 via testkit: small, fast, seedable (shared with the plan for the per-run choices). */
export { seededRandom };
