import { loadIngestConfig } from './config';
import { startIngest } from './service';

const config = loadIngestConfig();
startIngest(config)
  .then(({ lifecycle }) => lifecycle.installSignalHandlers())
  .catch((err: Error) => {
    process.stderr.write(`ingest failed to start: ${err.message}\n`);
    process.exit(1);
  });
