import { runService } from '@siliconalley/http';
import { loadGatewayConfig } from './config';
import { startGateway } from './service';

runService('gateway', () => startGateway(loadGatewayConfig()));
