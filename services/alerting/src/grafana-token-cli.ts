// Makes (idempotently) the Grafana service account `siliconalley-alerting` (role Editor) and a token
// for it, and writes the token to a file the alerting service reads as GRAFANA_TOKEN_FILE
// (src/notifications/grafana-token.ts says how):
//   node dist/grafana-token-cli.js --out FILE [--mode 0600] [--owner UID:GID]
// Environment: GRAFANA_URL, GRAFANA_ADMIN_USER (admin), GRAFANA_ADMIN_PASSWORD[_FILE],
// GRAFANA_SERVICE_ACCOUNT (siliconalley-alerting), GRAFANA_WAIT_SECONDS (180).
// A token already in FILE is kept while Grafana accepts it. Exit 78: invalid environment; 1: Grafana
// unreachable or refusing (the message says what to do).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@siliconalley/config';
import { parseMode, parseOwner, writeFileAtomic } from './notifications/files';
import { GrafanaApiError, grafanaTokenEnvSchema, provisionGrafanaToken } from './notifications/grafana-token';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      mode: { type: 'string', default: '0600' },
      /** When run as root to write into a fresh volume: the reader's uid:gid (the service images run as `node`, 1000:1000). */
      owner: { type: 'string' },
    },
  });
  if (!values.out) {
    process.stderr.write('grafana-token: --out FILE is required (the token is a secret: it is never printed)\n');
    process.exit(2);
  }
  const env = loadConfigOrExit('grafana-token', grafanaTokenEnvSchema);
  const out = values.out;
  const kept = existsSync(out) ? readFileSync(out, 'utf8').trim() : '';
  const log = (line: string) => process.stderr.write(`grafana-token: ${line}\n`);
  try {
    const result = await provisionGrafanaToken({
      url: env.GRAFANA_URL,
      adminUser: env.GRAFANA_ADMIN_USER,
      adminPassword: env.GRAFANA_ADMIN_PASSWORD,
      account: env.GRAFANA_SERVICE_ACCOUNT,
      ...(kept ? { existingToken: kept } : {}),
      waitMs: env.GRAFANA_WAIT_SECONDS * 1000,
      log,
    });
    const options = { mode: parseMode(values.mode!), ...(values.owner ? { owner: parseOwner(values.owner) } : {}) };
    // Kept or new, the file is (re)written so that its mode and owner are what this run asks.
    writeFileAtomic(out, `${result.token}\n`, options);
    log(result.created ? `wrote a new token for ${env.GRAFANA_SERVICE_ACCOUNT} to ${out}` : `the token in ${out} is still accepted: kept`);
  } catch (err) {
    if (err instanceof GrafanaApiError) {
      log(err.message);
      process.exit(1);
    }
    throw err;
  }
}

void main();
