// Renders the Alertmanager configuration from the environment (src/notifications/alertmanager-config.ts):
//   node dist/alertmanager-config-cli.js [--out FILE] [--mode 0600] [--owner UID:GID]
//   node dist/alertmanager-config-cli.js --write-default   (infra/alertmanager/alertmanager.yml: nothing filled in)
// stdout without --out. Says on stderr which channels are on, or that none is (the receivers then
// notify nobody). Exit 78 with every problem listed for an invalid or half-filled channel.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '@siliconalley/config';
import { alertmanagerConfigYaml, configuredChannels, parseNotificationEnv } from './notifications/alertmanager-config';
import { parseMode, parseOwner, writeFileAtomic } from './notifications/files';

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      /** The file holds the WeCom secret when WeCom is on: owner-only by default. */
      mode: { type: 'string', default: '0600' },
      /** When run as root to write into a fresh volume: the uid:gid of the reader (Alertmanager's image runs as nobody, 65534:65534). */
      owner: { type: 'string' },
      /** The committed default: rendered from an empty environment, whatever this shell has set. */
      'write-default': { type: 'boolean', default: false },
    },
  });
  if (values['write-default']) {
    values.out = join(__dirname, '../../../infra/alertmanager/alertmanager.yml');
    values.mode = '0644';
  }
  let env;
  try {
    env = parseNotificationEnv(values['write-default'] ? {} : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const yaml = alertmanagerConfigYaml(env);
  const on = configuredChannels(env);
  if (values.out) {
    writeFileAtomic(values.out, yaml, { mode: parseMode(values.mode!), ...(values.owner ? { owner: parseOwner(values.owner) } : {}) });
    process.stderr.write(`alertmanager-config: wrote ${values.out}\n`);
  } else {
    process.stdout.write(yaml);
  }
  process.stderr.write(
    on.length
      ? `alertmanager-config: notification channels on: ${on.join(', ')}\n`
      : 'alertmanager-config: no notification channel is configured (NOTIFY_WECOM_*, NOTIFY_EMAIL_*, NOTIFY_WEBHOOK_URL[_FILE]): ' +
          "alerts notify nobody; they are still shown in Alertmanager's UI and API\n",
  );
}

main();
