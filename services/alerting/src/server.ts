// Internal API behind the gateway: targets, plan tasks and department scorecards as of a day.
import type { Express, Request } from 'express';
import type { z } from 'zod';
import { departmentsQuery, describeIssues, targetsQuery, tasksQuery } from '@siliconalley/api';
import { chinaDateOf } from '@siliconalley/contract';
import { createHttpApp, HttpProblem, type Registry } from '@siliconalley/http';
import type { Logger } from '@siliconalley/logger';
import type { Evaluator } from './evaluate';

export interface AlertingServerDeps {
  evaluator: Evaluator;
  logger: Logger;
  registry: Registry;
  now?: () => Date;
}

function parse<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.query);
  if (!result.success) throw new HttpProblem(400, describeIssues(result.error));
  return result.data;
}

export function createServer(deps: AlertingServerDeps): Express {
  const now = deps.now ?? (() => new Date());
  const today = () => chinaDateOf(now());
  return createHttpApp({ logger: deps.logger, registry: deps.registry }, (app) => {
    app.get('/targets', async (req, res) => {
      const asOf = parse(targetsQuery(now), req).asOf ?? today();
      res.json({ asOf, targets: await deps.evaluator.targets(asOf) });
    });
    app.get('/tasks', async (req, res) => {
      const asOf = parse(tasksQuery(now), req).asOf ?? today();
      res.json({ asOf, tasks: await deps.evaluator.tasksOn(asOf) });
    });
    app.get('/departments', async (req, res) => {
      const asOf = parse(departmentsQuery(now), req).asOf ?? today();
      res.json({ asOf, departments: await deps.evaluator.departments(asOf) });
    });
  });
}
