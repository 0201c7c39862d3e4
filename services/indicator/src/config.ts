import { apiEnv, commonEnv, loadConfigOrExit, port, z } from '@siliconalley/config';

export const indicatorConfigSchema = z.object({
  ...commonEnv,
  ...apiEnv,
  SERVICE_NAME: z.string().default('indicator'),
  OPS_PORT: port(9104),
  HTTP_PORT: port(9114),
  /** Official zone boundaries (GeoJSON FeatureCollection); default: the bundled approximate zones. */
  ZONES_FILE: z.string().optional(),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30000),
  /** Exit (to be restarted) when the consumer makes no progress this long; 0 = off (packages/kafka). */
  KAFKA_STALL_TIMEOUT_MS: z.coerce.number().int().min(0).default(0),
});

export type IndicatorConfig = z.infer<typeof indicatorConfigSchema>;
export const loadIndicatorConfig = (env = process.env) => loadConfigOrExit('indicator', indicatorConfigSchema, env);
