import { runService } from '@siliconalley/http';
import { loadAlertingConfig } from './config';
import { startAlerting } from './service';

runService('alerting', () => startAlerting(loadAlertingConfig()));
