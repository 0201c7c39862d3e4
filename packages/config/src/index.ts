// One zod schema per service validates the environment at start (trigger.dev style).
// `FOO_FILE=/run/secrets/foo` is read into `FOO` first, so secrets need not sit in the environment.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly issues: string[],
  ) {
    super(`${service}: invalid configuration\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Resolves `NAME_FILE` entries into `NAME` (file content, trailing newline trimmed), for the names the
 * service knows only: other programs' `*_FILE` variables in the environment are none of our business.
 */
export function resolveFileSecrets(env: NodeJS.ProcessEnv, known?: ReadonlySet<string>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || !path) continue;
    const name = key.slice(0, -'_FILE'.length);
    if (known && !known.has(name)) continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError('config', [`both ${name} and ${key} are set: set only one`]);
    }
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError('config', [`${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
    }
  }
  return out;
}

/** Names whose values are never repeated in a configuration error. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PEPPER/i;

/** Parses the environment with the service's schema; throws a ConfigError listing every problem. */
export function parseConfig<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  const result = schema.safeParse(resolveFileSecrets(env, shape ? new Set(Object.keys(shape)) : undefined));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    // The offending value helps, except for a secret (a short INTERNAL_API_SECRET is still one).
    const given = issue.path.length === 1 && !SECRET_NAME.test(String(issue.path[0])) ? env[String(issue.path[0])] : undefined;
    return `${key}: ${issue.message}${given !== undefined ? ` (got ${JSON.stringify(given)})` : ''}`;
  });
  throw new ConfigError(service, issues);
}

/**
 * For a service's entry point: parse or print a readable message and exit non-zero.
 * Never prints secret values: only the keys and zod's message.
 */
export function loadConfigOrExit<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  try {
    return parseConfig(service, schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

// Reusable field types, so every service spells the same setting the same way.
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const kafkaBrokers = z
  .string()
  .default('127.0.0.1:9092')
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1));
export const mongoUrl = z
  .string()
  .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL')
  .default('mongodb://127.0.0.1:27017/siliconalley');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Suffix appended to every topic name, consumer group and database (tests isolate themselves with it). */
export const namespace = z
  .string()
  .regex(/^[a-z0-9-]*$/, 'lower-case letters, digits and dashes only')
  .default('');

/**
 * The address a server listens on. Loopback by default: reachable from this host only. Containers
 * that other containers call set `0.0.0.0` (or `::`) explicitly (docker-compose.yml does).
 */
export const bindHost = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.:%_-]+$/, 'an IP address or host name, e.g. 127.0.0.1 (this host only) or 0.0.0.0 (every interface)')
  .default('127.0.0.1');

/** Shortest INTERNAL_API_SECRET accepted (32 characters: `openssl rand -hex 32` gives 64). */
export const MIN_INTERNAL_API_SECRET_LENGTH = 32;

/**
 * The secret the gateway and the services share for the internal APIs (packages/http
 * requireInternalAuth). Required: an internal API without it would let anyone who reaches its port
 * read firm lists and write targets under a forged name, loopback or not.
 */
export const internalApiSecret = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'required: the secret the gateway and the internal APIs share; set INTERNAL_API_SECRET_FILE to a file holding it (e.g. `openssl rand -hex 32`) or INTERNAL_API_SECRET'
        : undefined,
  })
  .min(MIN_INTERNAL_API_SECRET_LENGTH, `at least ${MIN_INTERNAL_API_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`);

/** The settings every service shares. */
/**
 * Comma-separated legacy codes an operator decided to accept as USCCs despite a failing check
 * character: ingestion and what-if validate with the same list.
 */
export const legacyUsccAllowList = z
  .string()
  .default('')
  .transform(
    (s) =>
      new Set(
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
  );

/**
 * Test-only: with NODE_ENV=test, the ingest service fails to store any event whose id contains this
 * variable's value (a poison record for the ingestion tests and packages/chaos).
 */
export const STORAGE_FAULT_ENV = 'SA_TEST_FAULT_STORE_THROW_ID';

/** The indicator's internal API: several comma-separated URLs when instances share the partitions. */
export const indicatorUrls = z
  .string()
  .default('http://127.0.0.1:9114')
  .transform((s) =>
    s
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url()).min(1));

export const commonEnv = {
  LOG_LEVEL: logLevel,
  KAFKA_BROKERS: kafkaBrokers,
  KAFKA_CLIENT_ID: z.string().optional(),
  MONGO_URL: mongoUrl,
  SA_NAMESPACE: namespace,
  /** The ops port's address (/metrics, /healthz, /readyz). */
  OPS_HOST: bindHost,
};

/**
 * The settings of a service with an HTTP API that serves or calls the internal APIs (indicator,
 * alerting; the gateway, whose HTTP_HOST is the public API's address).
 */
export const apiEnv = {
  HTTP_HOST: bindHost,
  INTERNAL_API_SECRET: internalApiSecret,
};
