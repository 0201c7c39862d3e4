// Internal API behind the gateway: targets, plan tasks and department scorecards as of a day.
import express, { type Express, type Request } from 'express';
import { actionsQuery, decompositionQuery, departmentsQuery, MAX_WHAT_IF_EVENTS, parseQuery, targetsQuery, tasksQuery, whatIfQuery } from '@siliconalley/api';
import { renderActionListsCsv } from '@siliconalley/assessments';
import { chinaDateOf } from '@siliconalley/contract';
import { ACTOR_HEADER, actorLabelOf, createInternalApp, HttpProblem, isInternalCaller, type Registry } from '@siliconalley/http';
import type { Logger } from '@siliconalley/logger';
import type { Actor } from '@siliconalley/store';
import type { Evaluator } from './evaluate';
import type { WhatIf } from './what-if';
import { targetIdParam, type ManagedTargets } from './managed-targets';
import { registerAssessmentRoutes, type AssessmentRouteDeps } from './assessments/routes';

export interface AlertingServerDeps {
  evaluator: Evaluator;
  /** Action lists and what-if. */
  whatIf: WhatIf;
  logger: Logger;
  registry: Registry;
  /** POST/DELETE /targets and GET /targets/audit; absent: targets are read-only. */
  managed?: ManagedTargets;
  /** GET/POST /assessments; absent: no assessment routes on this instance. */
  assessments?: AssessmentRouteDeps;
  now?: () => Date;
  /** INTERNAL_API_SECRET: every request without it is refused (401), so no one else can name an actor. */
  internalSecret: string;
}

/**
 * Who writes: set by the gateway from the authenticated token; writes without it are refused. Trusted
 * only on a request that carried INTERNAL_API_SECRET (createInternalApp refuses the others first;
 * checked again here so that the audit log never records a name nobody vouched for).
 */
function actorOf(req: Request): Actor {
  if (!isInternalCaller(req)) throw new HttpProblem(401, `the ${ACTOR_HEADER} header is trusted only from the gateway (INTERNAL_API_SECRET)`);
  const id = req.get(ACTOR_HEADER);
  if (!id) throw new HttpProblem(400, `writes need the ${ACTOR_HEADER} header (the gateway sets it from the caller's token)`);
  return { id, label: actorLabelOf(req) };
}

export function createServer(deps: AlertingServerDeps): Express {
  const now = deps.now ?? (() => new Date());
  const today = () => chinaDateOf(now());
  return createInternalApp({ logger: deps.logger, registry: deps.registry, internalSecret: deps.internalSecret }, (app) => {
    app.get('/targets', async (req, res) => {
      const asOf = parseQuery(targetsQuery(now), req).asOf ?? today();
      const [targets, invalid] = await Promise.all([deps.evaluator.targets(asOf), deps.managed?.invalidStored() ?? Promise.resolve([])]);
      // Stored targets today's schema refuses are named, not silently dropped.
      res.json(invalid.length > 0 ? { asOf, targets, invalidStoredTargets: invalid } : { asOf, targets });
    });
    const managed = () => {
      if (!deps.managed) throw new HttpProblem(405, 'targets are read-only on this instance');
      return deps.managed;
    };
    app.post('/targets', express.json({ limit: '64kb' }), async (req, res) => {
      if (!req.is('application/json')) throw new HttpProblem(415, 'send the target definition as application/json');
      const definition = await managed().create(req.body, actorOf(req));
      res
        .status(201)
        .location(`/api/v1/targets/${encodeURIComponent(definition.id)}`)
        .json(definition);
    });
    app.get('/targets/audit', async (_req, res) => {
      res.json({ entries: await managed().audit() });
    });
    app.delete('/targets/:id', async (req, res) => {
      await managed().remove(String(req.params.id), actorOf(req));
      res.status(204).end();
    });
    app.get('/targets/:id/decomposition', async (req, res) => {
      const q = parseQuery(decompositionQuery(now), req);
      res.json(await deps.evaluator.decomposition(targetIdParam(req.params.id), q.from, q.to));
    });
    app.get('/targets/:id/actions', async (req, res) => {
      const q = parseQuery(actionsQuery(now), req);
      const lists = await deps.whatIf.actions(targetIdParam(req.params.id), q.asOf ?? today(), q.within);
      if (q.format === 'csv') {
        const name = `siliconalley-actions-${lists.target}-${lists.asOf}.csv`;
        res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${name}"`);
        res.send(renderActionListsCsv(lists));
        return;
      }
      res.json(lists);
    });
    // 1,000 events of up to 256 kB each could be 256 MB: events are small in practice, so 16 MB.
    app.post('/what-if', express.json({ limit: '16mb' }), async (req, res) => {
      if (!req.is('application/json'))
        throw new HttpProblem(415, `send { "events": [ … up to ${MAX_WHAT_IF_EVENTS} structured CloudEvents … ] } as application/json`);
      const { asOf } = parseQuery(whatIfQuery(), req);
      res.json(await deps.whatIf.judge(asOf, req.body));
    });
    app.get('/tasks', async (req, res) => {
      const asOf = parseQuery(tasksQuery(now), req).asOf ?? today();
      res.json({ asOf, tasks: await deps.evaluator.tasksOn(asOf) });
    });
    app.get('/departments', async (req, res) => {
      const asOf = parseQuery(departmentsQuery(now), req).asOf ?? today();
      res.json({ asOf, departments: await deps.evaluator.departments(asOf) });
    });
    if (deps.assessments) registerAssessmentRoutes(app, deps.assessments);
  });
}
