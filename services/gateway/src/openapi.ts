// OpenAPI 3.1 generated from the same zod schemas that validate requests (packages/api).
import { z } from 'zod';
import {
  decompositionQuery,
  decompositionResponse,
  departmentsQuery,
  departmentsResponse,
  explainQuery,
  explainResponse,
  kpisQuery,
  kpisResponse,
  problemSchema,
  seriesQuery,
  seriesResponse,
  targetAuditResponse,
  targetDefinitionBody,
  targetsQuery,
  targetsResponse,
  tasksQuery,
  tasksResponse,
} from '@siliconalley/api';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType): Json => z.toJSONSchema(s, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as Json;

/** Query parameters of an object schema, in OpenAPI's terms. */
function queryParameters(schema: z.ZodType): Json[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    description: s.description,
    schema: s,
  }));
}

const problemResponses = (...codes: number[]): Json =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'Problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }]));

const json = (schema: z.ZodType, description: string): Json => ({ description, content: { 'application/json': { schema: schemaOf(schema) } } });

export function openApiDocument(): Json {
  const read = ['evaluator', 'operator'];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Silicon Alley monitoring API',
      version: '1.0.0',
      description: 'KPIs, targets, assessments and ingestion for the Dongcheng Silicon Alley action plan 2024–2026.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token from `npm run token -- --role <role>`' } },
      schemas: { Problem: schemaOf(problemSchema) },
    },
    paths: {
      '/api/v1/kpis': {
        get: {
          summary: 'Every KPI entry as of a day',
          'x-roles': read,
          parameters: queryParameters(kpisQuery()),
          responses: { '200': json(kpisResponse, 'KPI entries'), ...problemResponses(400, 401, 403, 503) },
        },
      },
      '/api/v1/kpis/series': {
        get: {
          summary: 'One KPI entry over time (month ends or days)',
          'x-roles': read,
          parameters: queryParameters(seriesQuery()),
          responses: { '200': json(seriesResponse, 'Series'), ...problemResponses(400, 401, 403, 503) },
        },
      },
      '/api/v1/kpis/explain': {
        get: {
          summary: 'The firms behind one KPI value',
          'x-roles': read,
          parameters: queryParameters(explainQuery()),
          responses: { '200': json(explainResponse, 'Firms counted'), ...problemResponses(400, 401, 403, 503) },
        },
      },
      '/api/v1/targets': {
        get: {
          summary: 'Every target judged as of a day (linear-v1: path, ratio, forecast, status)',
          'x-roles': read,
          parameters: queryParameters(targetsQuery()),
          responses: { '200': json(targetsResponse, 'Targets'), ...problemResponses(400, 401, 403, 503) },
        },
        post: {
          summary: 'Add an operator target (validated; audited with the caller\'s token prefix). Judged with the others from the next request on',
          'x-roles': ['operator'],
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(targetDefinitionBody) } } },
          responses: {
            '201': { ...json(targetDefinitionBody, 'The stored definition'), headers: { Location: { schema: { type: 'string' } } } },
            ...problemResponses(400, 401, 403, 409, 415, 503),
          },
        },
      },
      '/api/v1/targets/{id}': {
        delete: {
          summary: 'Delete an operator target added through the API (the plan\'s and the targets file\'s: 409); audited',
          'x-roles': ['operator'],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409, 503) },
        },
      },
      '/api/v1/targets/audit': {
        get: {
          summary: 'Audit log of target changes through the API, newest first: who, when, what, before/after',
          'x-roles': ['operator'],
          responses: { '200': json(targetAuditResponse, 'Audit entries'), ...problemResponses(401, 403, 503) },
        },
      },
      '/api/v1/targets/{id}/decomposition': {
        get: {
          summary: 'Zone-share targets (T6_ZONE_SHARE): the share change between two days split into the numerator effect (zone firms gained/lost) and the denominator effect (district total)',
          'x-roles': read,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: 'T6_ZONE_SHARE' }, ...queryParameters(decompositionQuery())],
          responses: { '200': json(decompositionResponse, 'Decomposition'), ...problemResponses(400, 401, 403, 404, 503) },
        },
      },
      '/api/v1/tasks': {
        get: {
          summary: 'The 34 plan tasks: latest status, percent, overdue and blocked flags, departments',
          'x-roles': read,
          parameters: queryParameters(tasksQuery()),
          responses: { '200': json(tasksResponse, 'Plan tasks'), ...problemResponses(400, 401, 403, 503) },
        },
      },
      '/api/v1/departments': {
        get: {
          summary: 'A scorecard per normalised department (of the tasks it leads: completed, overdue, blocked)',
          'x-roles': read,
          parameters: queryParameters(departmentsQuery()),
          responses: { '200': json(departmentsResponse, 'Department scorecards'), ...problemResponses(400, 401, 403, 503) },
        },
      },
      '/api/v1/pipeline': {
        get: {
          summary: 'Ingestion counts and lag',
          'x-roles': ['provider', ...read],
          responses: { '200': { description: 'Pipeline status', content: { 'application/json': { schema: { type: 'object' } } } }, ...problemResponses(401, 403) },
        },
      },
      '/api/v1/events': {
        post: {
          summary: 'Publish CloudEvents (structured, batch or binary mode)',
          'x-roles': ['provider'],
          requestBody: {
            required: true,
            content: {
              'application/cloudevents+json': { schema: { type: 'object' } },
              'application/cloudevents-batch+json': { schema: { type: 'array', items: { type: 'object' } } },
              'application/json': { schema: { type: 'object', description: 'Binary mode: the data, with ce-* headers' } },
            },
          },
          responses: {
            '200': { description: 'Batch: per-event results', content: { 'application/json': { schema: { type: 'object' } } } },
            '202': { description: 'Event accepted (durable in Kafka)', content: { 'application/json': { schema: { type: 'object' } } } },
            ...problemResponses(400, 401, 403, 413, 415, 429),
          },
        },
      },
    },
  };
}
