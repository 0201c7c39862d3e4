import { apiEnv, commonEnv, indicatorUrls, legacyUsccAllowList, loadConfigOrExit, port, z } from '@siliconalley/config';

export const alertingConfigSchema = z
  .object({
    ...commonEnv,
    ...apiEnv,
    SERVICE_NAME: z.string().default('alerting'),
    OPS_PORT: port(9105),
    /** Internal API (targets, tasks, departments) behind the gateway. */
    HTTP_PORT: port(9115),
    /** The indicator's internal API; several comma-separated URLs when instances share the partitions. */
    INDICATOR_URL: indicatorUrls,
    /** Operator targets (JSON array, packages/targets schema); default: the plan's targets. */
    TARGETS_FILE: z.string().optional(),
    /** Seconds between evaluations of the targets for today (metrics, flags). */
    EVALUATION_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
    /**
     * An evaluation judges only when the pipeline has caught up to the moment it started (every record
     * published before it settled by ingestion and applied by the indicator); it waits this long for
     * that, then tries again a few seconds later. A backlog that takes longer is not judged half-way.
     */
    EVALUATION_CATCH_UP_SECONDS: z.coerce.number().int().min(0).default(30),
    /**
     * Records published but not yet settled and applied that a judgement tolerates when it has caught
     * up to its start (0: none in flight). Raise it only where a steady flow never pauses.
     */
    EVALUATION_IN_FLIGHT_TOLERANCE: z.coerce.number().int().min(0).default(0),
    /** Periodic assessments (node-cron, Asia/Shanghai) and restatement checks on this instance. */
    ASSESSMENTS_ENABLED: z.stringbool().default(true),
    /** Seconds between restatement checks (also retries a failed catch-up). */
    ASSESSMENT_CHECK_SECONDS: z.coerce.number().int().min(1).default(30),
    /** Scheduled assessments wait until no event has arrived for this long (a backfill settles first). */
    ASSESSMENT_QUIET_SECONDS: z.coerce.number().int().min(0).default(30),
    /** Validates what-if events as ingestion does (set it like the ingest service's). */
    LEGACY_USCC_ALLOWLIST: legacyUsccAllowList,
    /** Headless Chromium that prints assessment PDFs (a CJK font must be installed). */
    CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
    /** Grafana for annotations on flag changes; both or neither. */
    GRAFANA_URL: z.url().optional(),
    GRAFANA_TOKEN: z.string().min(1).optional(),
  })
  .refine((c) => (c.GRAFANA_URL === undefined) === (c.GRAFANA_TOKEN === undefined), {
    error: 'set GRAFANA_URL and GRAFANA_TOKEN together (a Grafana service account token), or neither',
    path: ['GRAFANA_TOKEN'],
  });

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
export const loadAlertingConfig = (env = process.env) => loadConfigOrExit('alerting', alertingConfigSchema, env);
