// Writes the Prometheus alert rules: node dist/rules-cli.js [--targets FILE] [--runbook-base URL] [--out FILE]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rulesYaml } from './rules';
import { loadTargets } from './targets-file';

const { values } = parseArgs({
  options: {
    targets: { type: 'string' },
    'runbook-base': { type: 'string' },
    out: { type: 'string', default: join(__dirname, '../../../infra/prometheus/rules/targets.yml') },
  },
});
const out = values.out!;
writeFileSync(out, rulesYaml(loadTargets(values.targets ?? process.env.TARGETS_FILE), values['runbook-base']));
process.stdout.write(`wrote ${out}\n`);
