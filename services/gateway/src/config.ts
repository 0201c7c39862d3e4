import { apiEnv, commonEnv, indicatorUrls, loadConfigOrExit, port, z } from '@siliconalley/config';

export const gatewayConfigSchema = z.object({
  ...commonEnv,
  /** HTTP_HOST: the public API's address (loopback by default); INTERNAL_API_SECRET: sent to the internal APIs. */
  ...apiEnv,
  SERVICE_NAME: z.string().default('gateway'),
  HTTP_PORT: port(8080),
  OPS_PORT: port(9100),
  /** The indicator's internal API; several comma-separated URLs when instances share the partitions. */
  INDICATOR_URL: indicatorUrls,
  /** The alerting service's internal API (targets, tasks, departments). */
  ALERTING_URL: z.url().default('http://127.0.0.1:9115'),
  /** Largest HTTP ingest request (a batch); each event is still limited to 256 KiB by the contract. */
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * 1024 * 1024),
  /** Events in one batch request (application/cloudevents-batch+json) at most; more: 413. */
  INGEST_MAX_BATCH_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Requests per token per minute before 429. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * Failed authentications (401) per client address per minute; past it, every request from that
   * address gets 429 before any token lookup until the minute is over.
   */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
  /** Comma-separated origins allowed by CORS; empty = CORS closed. */
  CORS_ORIGINS: z.string().default(''),
  /** Milliseconds an active token is trusted without a database lookup (revocation waits that long); 0 = every request. */
  TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(60000).default(0),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const loadGatewayConfig = (env = process.env) => loadConfigOrExit('gateway', gatewayConfigSchema, env);
