// Prometheus, promtool, Alertmanager and amtool at the versions of infra/local/versions.env (the
// releases docker-compose.yml runs), which infra/local/bootstrap.sh builds into
// .local/tools/bin/prometheus-<version>/ and .local/tools/bin/alertmanager-<version>/. Nothing spawns
// them by name from the PATH (where Debian's older packages may lie). This is the one home of these
// paths: packages/devstack, which depends on testkit (not the other way round), re-exports them.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root: this file is packages/testkit/{src,dist}/tools.*. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const TOOLS_BIN = path.join(REPO_ROOT, '.local', 'tools', 'bin');

/** A `KEY=value` line of infra/local/versions.env (the shell sources the same file). */
function pinnedVersion(key: string): string {
  const text = readFileSync(path.join(REPO_ROOT, 'infra/local/versions.env'), 'utf8');
  const value = new RegExp(`^${key}=(.+)$`, 'm')
    .exec(text)?.[1]
    ?.replace(/\s+#.*$/, '')
    .trim();
  if (!value) throw new Error(`infra/local/versions.env lacks ${key}`);
  return value;
}

export const prometheusVersion = (): string => pinnedVersion('PROMETHEUS_VERSION');
export const alertmanagerVersion = (): string => pinnedVersion('ALERTMANAGER_VERSION');

const prometheusDir = () => path.join(TOOLS_BIN, `prometheus-${prometheusVersion()}`);
const alertmanagerDir = () => path.join(TOOLS_BIN, `alertmanager-${alertmanagerVersion()}`);

export const prometheusBinary = (): string => path.join(prometheusDir(), 'prometheus');
export const promtoolBinary = (): string => path.join(prometheusDir(), 'promtool');
export const alertmanagerBinary = (): string => path.join(alertmanagerDir(), 'alertmanager');
export const amtoolBinary = (): string => path.join(alertmanagerDir(), 'amtool');

/** What to tell when a pinned tool cannot be run (not built yet). */
export const toolMissingHint = (binary: string, err: Error): string =>
  `${path.basename(binary)} is not available at ${binary}: ${err.message} (bash infra/local/bootstrap.sh builds it; npm test runs that)`;
