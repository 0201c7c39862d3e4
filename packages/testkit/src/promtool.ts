import { spawnSync } from 'node:child_process';
import { promtoolBinary, toolMissingHint } from './tools';

/**
 * Runs Prometheus' own linter on a metrics exposition (`promtool check metrics` of the pinned
 * release: tools.ts): returns its complaints, empty when the names, types, help texts and units pass.
 */
export function promtoolCheckMetrics(exposition: string): string[] {
  const promtool = promtoolBinary();
  const run = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error) throw new Error(toolMissingHint(promtool, run.error));
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
