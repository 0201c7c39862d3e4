import { runService } from '@siliconalley/http';
import { loadIndicatorConfig } from './config';
import { startIndicator } from './service';

runService('indicator', () => startIndicator(loadIndicatorConfig()));
