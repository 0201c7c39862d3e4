// Where the local stack's Alertmanager notifies: a webhook recorder in the devstack process (the one
// `npm start` and `npm run stack -- up` keep running) that appends each notification, as Alertmanager
// posted it, to notifications.jsonl in the stack's folder. The Alertmanager configuration itself is
// rendered by the alerting service's generator (its built CLI, the same one docker-compose runs; the
// devstack cannot depend on that workspace, which depends on it), with the recorder as its webhook.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { StackLayout } from './layout';
import { repoRoot } from './paths';

/** One line per notification: `{ receivedAt, path, notification }` (Alertmanager's webhook payload). */
export const notificationsFile = (layout: StackLayout): string => join(layout.dir, 'notifications.jsonl');

/** Alertmanager's port + 1 (its cluster port, which the stack disables): 9094, 29094 for tests. */
export const notificationRecorderPort = (layout: StackLayout): number => layout.ports.alertmanager + 1;
export const notificationRecorderUrl = (layout: StackLayout): string => `http://127.0.0.1:${notificationRecorderPort(layout)}/notifications`;

const recorders = new Map<string, Server>();

/**
 * Starts the recorder of a layout in this process, once (later calls reuse it). It never keeps the
 * process alive on its own. A port already taken (another process runs this stack) is said on stderr:
 * that process records instead.
 */
export function startNotificationRecorder(layout: StackLayout): void {
  if (recorders.has(layout.dir)) return;
  const file = notificationsFile(layout);
  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let notification: unknown = raw;
      try {
        notification = JSON.parse(raw);
      } catch {
        // kept as text
      }
      try {
        mkdirSync(layout.dir, { recursive: true });
        appendFileSync(file, `${JSON.stringify({ receivedAt: new Date().toISOString(), path: req.url, notification })}\n`);
        res.writeHead(200).end();
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    });
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    recorders.delete(layout.dir);
    process.stderr.write(
      `[stack] notification recorder on :${notificationRecorderPort(layout)} not started (${err.code ?? err.message}); notifications are not recorded in ${file} by this process\n`,
    );
  });
  server.listen(notificationRecorderPort(layout), '127.0.0.1');
  server.unref();
  recorders.set(layout.dir, server);
}

/** The alerting service's generator, built: `npm run build` makes it. */
export const alertmanagerConfigCli = (): string => join(repoRoot, 'services/alerting/dist/alertmanager-config-cli.js');

/** Renders the local Alertmanager configuration into `file`: every receiver posts to the recorder. */
export function writeLocalAlertmanagerConfig(layout: StackLayout, file: string): void {
  const cli = alertmanagerConfigCli();
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (it renders the Alertmanager configuration)`);
  // A clean environment: the operator's NOTIFY_* settings of this shell are not the local stack's.
  execFileSync(process.execPath, [cli, '--out', file, '--mode', '0644'], {
    env: { PATH: process.env.PATH ?? '', NOTIFY_WEBHOOK_URL: notificationRecorderUrl(layout) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
