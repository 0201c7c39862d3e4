import { loadAlertingConfig } from './config';
import { startAlerting } from './service';

const config = loadAlertingConfig();
startAlerting(config)
  .then(({ lifecycle }) => lifecycle.installSignalHandlers())
  .catch((err: Error) => {
    process.stderr.write(`alerting failed to start: ${err.message}\n`);
    process.exit(1);
  });
