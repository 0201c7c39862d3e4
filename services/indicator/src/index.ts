import { loadIndicatorConfig } from './config';
import { startIndicator } from './service';

startIndicator(loadIndicatorConfig())
  .then(({ lifecycle }) => lifecycle.installSignalHandlers())
  .catch((err: Error) => {
    process.stderr.write(`indicator failed to start: ${err.message}\n`);
    process.exit(1);
  });
