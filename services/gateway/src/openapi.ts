// OpenAPI 3.1 generated from the same zod schemas that validate requests (packages/api).
import { z } from 'zod';
import {
  ASSESSMENT_ACTION_ROWS,
  actionsQuery,
  actionsResponse,
  assessmentListResponse,
  assessmentSchema,
  PERIOD_PATTERN,
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
  whatIfQuery,
  whatIfRequest,
  whatIfResponse,
} from '@siliconalley/api';

type Json = Record<string, unknown>;

/** A valid event (README "API"): the examples of the ingest operation. */
const EXAMPLE_EVENT = {
  specversion: '1.0',
  id: 'samr-2025-000123',
  source: 'urn:dongcheng:samr',
  type: 'cn.gov.dongcheng.siliconalley.enterprise.registered.v1',
  time: '2025-06-30T09:00:00+08:00',
  subject: '91110101MA01ABCD5M',
  data: {
    uscc: '91110101MA01ABCD5M',
    name: '北京青龙智算科技有限公司',
    establishedOn: '2021-05-10',
    districtCode: '110101',
    site: { address: '北京市东城区青龙胡同1号', location: { lon: 116.4236, lat: 39.9473, crs: 'WGS84' }, buildingId: null },
    industryCode: 'I6513',
    focusIndustry: 'AI',
  },
};

/** Named schemas (zod `.meta({ id })`) of the document being built, for `components.schemas`. */
let components: Record<string, Json> = {};

/**
 * A zod schema as an OpenAPI 3.1 schema object. zod puts named sub-schemas in a local `$defs` and
 * refers to them as `#/$defs/<id>`, which inside an OpenAPI document resolves against the document
 * root (and fails): they move to `components.schemas` and the references follow.
 */
function toOpenApi(s: z.ZodType, io: 'input' | 'output'): Json {
  const raw = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  const moved = JSON.parse(JSON.stringify(raw).split('"#/$defs/').join('"#/components/schemas/')) as Json;
  const { $schema: _schema, $defs, ...schema } = moved as Json & { $defs?: Record<string, Json> };
  for (const [id, def] of Object.entries($defs ?? {})) components[id] = def;
  return schema;
}

const schemaOf = (s: z.ZodType): Json => toOpenApi(s, 'output');

/** Query parameters of an object schema, in OpenAPI's terms. */
function queryParameters(schema: z.ZodType): Json[] {
  const json = toOpenApi(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    description: s.description,
    schema: s,
  }));
}

const problemResponses = (...codes: number[]): Json =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      { description: 'Problem details', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    ]),
  );

const json = (schema: z.ZodType, description: string): Json => ({ description, content: { 'application/json': { schema: schemaOf(schema) } } });

let built: Json | undefined;

/** The document (built once: it depends on the code only). */
export function openApiDocument(): Json {
  built ??= buildDocument();
  return built;
}

function buildDocument(): Json {
  components = {};
  const problem = schemaOf(problemSchema);
  const paths = documentPaths();
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
      schemas: { ...components, Problem: components.Problem ?? problem, ...datesOfTargets(components.TargetDefinition) },
    },
    paths: withCommonProblems(paths),
  };
}

/** The target definition's dates are checked by a refinement that JSON Schema cannot show: say `format: date`. */
function datesOfTargets(definition: Json | undefined): Record<string, Json> {
  const properties = definition?.properties as Record<string, Json> | undefined;
  if (!definition || !properties) return {};
  const date = (p: Json | undefined) => ({ ...p, format: 'date' });
  return { TargetDefinition: { ...definition, properties: { ...properties, baselineDate: date(properties.baselineDate), due: date(properties.due) } } };
}

/**
 * Every route but openapi.json needs a token (401 without one, 403 for a role without the right,
 * 503 while the token store does not answer) and is rate-limited per token (429): documented on
 * every operation, whoever adds it.
 */
function withCommonProblems(paths: Json): Json {
  for (const item of Object.values(paths) as Record<string, Json>[]) {
    for (const operation of Object.values(item) as { responses?: Json }[]) {
      operation.responses = { ...problemResponses(401, 403, 429, 503), ...operation.responses };
    }
  }
  return paths;
}

/**
 * The `{id}` of the target routes: the same grammar as a definition's id (packages/targets), read from
 * the definition's schema so there is one.
 */
function targetIdParameter(example: string): Json {
  schemaOf(targetDefinitionBody);
  const properties = (components.TargetDefinition as { properties?: Record<string, Json> } | undefined)?.properties;
  return { name: 'id', in: 'path', required: true, schema: properties?.id ?? { type: 'string' }, example };
}

function documentPaths(): Json {
  const read = ['evaluator', 'operator'];
  return {
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
    '/api/v1/assessments': {
      get: {
        summary: "Published assessments: each period's latest version, with its target status summary",
        'x-roles': read,
        responses: { '200': json(assessmentListResponse, 'Assessments'), ...problemResponses(401, 403, 503) },
      },
    },
    '/api/v1/assessments/{period}': {
      get: {
        summary:
          'An assessment (latest version, or ?version=N). Accept (or ?format=) picks JSON, CSV (UTF-8 with BOM, one KPI per row; part=actions: the action lists as kept by the version), an HTML report with charts, an Excel workbook or an A4 PDF of the report',
        description: `An assessment keeps the first ${ASSESSMENT_ACTION_ROWS.toLocaleString('en-US')} entries of each action list (in the list's order: soonest lapse, nearest candidate, latest next-tier validUntil) and \`actions.lengths\`, the whole lists' lengths; the HTML and Excel reports say which lists were cut. The whole list: GET /api/v1/targets/{id}/actions?asOf= (computed on the current data). Versions published before lists were cut have no \`lengths\` and keep every entry.`,
        'x-roles': read,
        parameters: [
          {
            name: 'period',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: PERIOD_PATTERN },
            example: '2025-Q4',
            description: 'YYYY, YYYY-Qn or YYYY-MM',
          },
          { name: 'version', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'An earlier version; versions never change' },
          {
            name: 'format',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['json', 'csv', 'html', 'xlsx', 'pdf'] },
            description: 'Overrides Accept',
          },
          {
            name: 'part',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['kpis', 'actions'], default: 'kpis' },
            description: `With format=csv: the KPI table (kpis) or the headline target's action lists (actions): the rows the version kept, the first ${ASSESSMENT_ACTION_ROWS.toLocaleString('en-US')} of each list, one row per entry and no note rows (the JSON's \`actions.lengths\` gives the whole lengths)`,
          },
        ],
        responses: {
          '200': {
            description: 'The assessment',
            content: {
              'application/json': { schema: schemaOf(assessmentSchema) },
              'text/csv': { schema: { type: 'string' } },
              'text/html': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...problemResponses(400, 401, 403, 404, 406, 503),
        },
      },
    },
    '/api/v1/assessments/{period}/run': {
      post: {
        summary: 'Assess a closed period now: 201 with a new version when a number changed (or none existed), 200 with the latest when nothing changed',
        'x-roles': ['operator'],
        parameters: [{ name: 'period', in: 'path', required: true, schema: { type: 'string', pattern: PERIOD_PATTERN }, example: '2025-Q4' }],
        responses: {
          '200': json(assessmentSchema, 'Unchanged: the latest version'),
          '201': { ...json(assessmentSchema, 'Published a new version'), headers: { Location: { schema: { type: 'string' } } } },
          ...problemResponses(400, 401, 403, 409, 503),
        },
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
        summary: "Add an operator target (validated; audited with the caller's token prefix). Judged with the others from the next request on",
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
        summary: "Delete an operator target added through the API (the plan's and the targets file's: 409); audited",
        'x-roles': ['operator'],
        parameters: [targetIdParameter('QL_QUALIFIED_2026')],
        responses: { '204': { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 409, 503) },
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
        summary:
          'Zone-share targets (T6_ZONE_SHARE): the share change between two days split into the numerator effect (zone firms gained/lost) and the denominator effect (district total)',
        'x-roles': read,
        parameters: [targetIdParameter('T6_ZONE_SHARE'), ...queryParameters(decompositionQuery())],
        responses: { '200': json(decompositionResponse, 'Decomposition'), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    '/api/v1/targets/{id}/actions': {
      get: {
        summary:
          'Zone-share targets (T6_ZONE_SHARE): the named firms that move the share as of a day (kpis.md "Action lists"): renewals due within the window, relocation candidates (nearest first), next-tier candidates',
        'x-roles': read,
        parameters: [targetIdParameter('T6_ZONE_SHARE'), ...queryParameters(actionsQuery())],
        responses: {
          '200': {
            description: 'Action lists (JSON), or with format=csv one row per entry with a `list` column (UTF-8 with BOM)',
            content: { 'application/json': { schema: schemaOf(actionsResponse) }, 'text/csv': { schema: { type: 'string' } } },
          },
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    '/api/v1/what-if': {
      post: {
        summary:
          'Targets as of a day (future allowed, up to the due dates) on the stored events plus up to 1,000 hypothetical CloudEvents, validated by the contract and applied in memory only: nothing is stored, published, counted or flagged',
        'x-roles': read,
        parameters: queryParameters(whatIfQuery()),
        requestBody: { required: true, content: { 'application/json': { schema: schemaOf(whatIfRequest), example: { events: [EXAMPLE_EVENT] } } } },
        responses: { '200': json(whatIfResponse, 'Targets with and without the hypothetical events'), ...problemResponses(400, 401, 403, 413, 415, 503) },
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
        summary: 'Ingestion counts and lag (lag null while the indicator cannot say how far it applied)',
        'x-roles': ['provider', ...read],
        responses: {
          '200': { description: 'Pipeline status', content: { 'application/json': { schema: { type: 'object' } } } },
          ...problemResponses(401, 403),
        },
      },
    },
    '/api/v1/events': {
      post: {
        summary: 'Publish CloudEvents (structured, batch or binary mode)',
        'x-roles': ['provider'],
        requestBody: {
          required: true,
          content: {
            'application/cloudevents+json': { schema: { type: 'object' }, example: EXAMPLE_EVENT },
            'application/cloudevents-batch+json': { schema: { type: 'array', items: { type: 'object' } }, example: [EXAMPLE_EVENT] },
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
  };
}
