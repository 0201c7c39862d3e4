#!/usr/bin/env node
// Prints bench/results/latest.json as one table: `npm run summary -w @siliconalley/bench`.
import { readResults, resultsFile, summaryTable } from './results';

const results = readResults();
if (Object.keys(results.benches).length === 0) {
  process.stderr.write(`no results in ${resultsFile()} yet: run \`npm run bench\`\n`);
  process.exit(1);
}
process.stdout.write(`${resultsFile()} (updated ${results.updated})\n${summaryTable(results)}\n`);
