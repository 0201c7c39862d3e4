import { runService } from '@siliconalley/http';
import { loadIngestConfig } from './config';
import { startIngest } from './service';

runService('ingest', () => startIngest(loadIngestConfig()));
