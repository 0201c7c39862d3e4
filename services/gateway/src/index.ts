import { loadGatewayConfig } from './config';
import { startGateway } from './service';

startGateway(loadGatewayConfig())
  .then(({ lifecycle }) => lifecycle.installSignalHandlers())
  .catch((err: Error) => {
    process.stderr.write(`gateway failed to start: ${err.message}\n`);
    process.exit(1);
  });
