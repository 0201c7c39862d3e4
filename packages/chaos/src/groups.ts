import { CONSUMER_GROUPS } from '@siliconalley/kafka';
import { TOPICS } from '@siliconalley/contract';

/** The ingestion deployments' consumer groups (the names the service computes) and their topics. */
export const ingestGroups: Record<string, string[]> = {
  [CONSUMER_GROUPS.ingest(['enterprise'])]: [TOPICS.enterprise],
  [CONSUMER_GROUPS.ingest(['certification'])]: [TOPICS.certification],
  [CONSUMER_GROUPS.ingest(['task'])]: [TOPICS.task],
};
