import { commonEnv, legacyUsccAllowList, loadConfigOrExit, port, z } from '@siliconalley/config';

/** Which provider streams this instance ingests: one deployment per concern, same code. */
export const INGEST_STREAMS = ['enterprise', 'certification', 'task'] as const;
export type IngestStream = (typeof INGEST_STREAMS)[number];

export const ingestConfigSchema = z.object({
  ...commonEnv,
  SERVICE_NAME: z.string().default('ingest'),
  OPS_PORT: port(9101),
  INGEST_STREAMS: z
    .string()
    .default('enterprise,certification,task')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(INGEST_STREAMS)).min(1)),
  LEGACY_USCC_ALLOWLIST: legacyUsccAllowList,
  /**
   * Records per chunk: each chunk is one event insert, up to three small ledger writes and one
   * document of its duplicates and rejections. Measured on FerretDB/SQLite 2026-12-04: the ledger
   * writes cost ~5% of the insert time at 500 records and ~1% at 1,000, where the insert itself
   * is ~4% faster per record; the bench's physical baseline inserts batches of 1,000 too.
   */
  INGEST_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(1000),
  /**
   * Partitions whose chunks are ingested at the same time. Each partition has its own ledger, so
   * chunks of different partitions are independent; overlapping them keeps the database busy while
   * another chunk is validated or forwarded. Default: every partition of the three source topics
   * (3 each); measured 2026-12-03, 200k records: 1 in flight 2,602 events/s, 6 in flight 3,582
   * (docs/performance.md).
   */
  INGEST_PARTITIONS_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(9),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30000),
  /** Exit (to be restarted) when the consumer makes no progress this long; 0 = off (packages/kafka). */
  KAFKA_STALL_TIMEOUT_MS: z.coerce.number().int().min(0).default(0),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
export const loadIngestConfig = (env = process.env) => loadConfigOrExit('ingest', ingestConfigSchema, env);
