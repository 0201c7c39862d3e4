// `npm run generate -w @siliconalley/dashboards`: writes infra/grafana/dashboards/*.json.
import { writeFileSync } from 'node:fs';
import { dashboardFiles } from './files';

for (const [path, text] of dashboardFiles()) {
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
