import { spawnSync } from 'node:child_process';

/**
 * Runs Prometheus' own linter on a metrics exposition (`promtool check metrics`): returns its
 * complaints, empty when the names, types, help texts and units pass.
 */
export function promtoolCheckMetrics(exposition: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is not available: ${run.error.message} (npm test provisions it)`);
  return `${run.stdout}${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
}
