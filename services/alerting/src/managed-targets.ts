// Operator-managed targets (kpis.md: "an operator can add a target … without a release"): the
// targets file (or the plan's defaults) plus targets added through the API, stored in MongoDB with an
// audit entry per change (packages/store targets/). The file's targets cannot be replaced or deleted
// through the API (409): they change with the file, and the Prometheus rules are generated from it.
import { HttpProblem } from '@siliconalley/http';
import type { Logger } from '@siliconalley/logger';
import type { Actor, TargetAuditEntry, TargetRepository } from '@siliconalley/store';
import { isTargetId, parseTargetDefinitions, TargetDefinitionError, TARGET_ID_INSTRUCTION, type TargetDefinition } from '@siliconalley/targets';

/**
 * The `{id}` of a target route (GET /targets/{id}/decomposition, DELETE /targets/{id}), held to the
 * grammar every target id is created with: any other is no target's (400, not a lookup).
 */
export function targetIdParam(raw: unknown): string {
  if (isTargetId(raw)) return raw;
  throw new HttpProblem(400, `${JSON.stringify(String(raw)).slice(0, 80)} is not a target id: a target id ${TARGET_ID_INSTRUCTION}`);
}

/** A stored target that fails today's validation, and why. */
export interface InvalidStoredTarget {
  id: string;
  problems: readonly string[];
}

export class ManagedTargets {
  private readonly fixedIds: Set<string>;

  constructor(
    readonly fixed: readonly TargetDefinition[],
    private readonly repo: TargetRepository,
    private readonly logger?: Logger,
  ) {
    this.fixedIds = new Set(fixed.map((t) => t.id));
  }

  /** The file/default targets, then the stored ones (oldest first). */
  async all(): Promise<TargetDefinition[]> {
    return (await this.read()).targets;
  }

  /**
   * Stored targets that no longer pass validation (stored under an older, looser schema): not judged,
   * but listed with why (GET /targets) and deletable by their exact id, so none goes unnoticed.
   */
  async invalidStored(): Promise<InvalidStoredTarget[]> {
    return (await this.read()).invalid;
  }

  private async read(): Promise<{ targets: TargetDefinition[]; invalid: InvalidStoredTarget[] }> {
    const stored: TargetDefinition[] = [];
    const invalid: InvalidStoredTarget[] = [];
    for (const doc of await this.repo.list()) {
      if (this.fixedIds.has(doc._id)) continue; // the file gained the id later: the file wins
      try {
        stored.push(...parseTargetDefinitions([doc.definition]));
      } catch (err) {
        const problems = err instanceof TargetDefinitionError ? err.problems : [String(err)];
        invalid.push({ id: doc._id, problems });
        this.logger?.warn({ err, target: doc._id }, 'stored target no longer valid: not judged (listed in GET /targets; DELETE it by its id)');
      }
    }
    return { targets: [...this.fixed, ...stored], invalid };
  }

  /** Validates and stores a new target: 400 with every problem, 409 when the id exists. */
  async create(body: unknown, actor: Actor): Promise<TargetDefinition> {
    let definition: TargetDefinition;
    try {
      [definition] = parseTargetDefinitions([body]) as [TargetDefinition];
    } catch (err) {
      if (!(err instanceof TargetDefinitionError)) throw err;
      throw new HttpProblem(400, `invalid target: ${err.problems.map((p) => p.replace(/^targets\[0\]\.?/, '').replace(/^: /, '')).join('; ')}`);
    }
    if (this.fixedIds.has(definition.id)) {
      throw new HttpProblem(409, `target ${definition.id} is defined in the targets configuration file (or is one of the plan's); choose another id`);
    }
    if (!(await this.repo.create(definition.id, definition as unknown as Record<string, unknown>, actor))) {
      throw new HttpProblem(409, `target ${definition.id} already exists; DELETE it first to replace it`);
    }
    return definition;
  }

  /**
   * Deletes a stored target: 409 for the file's (and the plan's) targets, 404 for an unknown id. An id
   * outside the grammar is refused (400) unless a target was stored under exactly it before the
   * grammar existed: that one can be deleted.
   */
  async remove(rawId: string, actor: Actor): Promise<void> {
    if (!isTargetId(rawId)) {
      if ((await this.repo.remove(rawId, actor)) === null) targetIdParam(rawId);
      return;
    }
    const id = rawId;
    if (this.fixedIds.has(id))
      throw new HttpProblem(409, `target ${id} is defined in the targets configuration file (or is one of the plan's) and cannot be deleted through the API`);
    if ((await this.repo.remove(id, actor)) === null) throw new HttpProblem(404, `no API-managed target ${JSON.stringify(id)}`);
  }

  audit(targetId?: string): Promise<TargetAuditEntry[]> {
    return this.repo.audit(targetId === undefined ? {} : { targetId });
  }
}
