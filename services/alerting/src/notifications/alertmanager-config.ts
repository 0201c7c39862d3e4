// The one home of the Alertmanager configuration: routing, inhibition and the receivers, built from
// an environment the operator fills in (docker-compose's one-shot `alertmanager-config`, the local
// stack, tests). Every channel is off until all of its settings are given; with none, the receivers
// notify nobody and alerts stay visible in Alertmanager's UI and API.
//
// `npm run alertmanager-config -w @siliconalley/service-alerting -- --write-default` writes the default rendering to
// infra/alertmanager/alertmanager.yml (a unit test fails when the file differs from a fresh one).
import { ConfigError, resolveFileSecrets, z } from '@siliconalley/config';
import { stringify } from 'yaml';

/** Empty means unset: compose passes `${NAME:-}` as an empty string. */
const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A path Alertmanager itself reads (its `*_file` fields): absolute, no surrounding spaces. */
const path = text.pipe(z.string().regex(/^\//, 'must be an absolute path (as Alertmanager sees it)').optional());

export const notificationEnvSchema = z.object({
  // WeCom (企业微信) through Alertmanager's wechat_configs: an application (agent) of the corp.
  NOTIFY_WECOM_CORP_ID: text,
  NOTIFY_WECOM_AGENT_ID: text.pipe(z.string().regex(/^\d+$/, 'the numeric AgentId of the WeCom application').optional()),
  /** Read from NOTIFY_WECOM_API_SECRET_FILE by us: wechat_configs has no api_secret_file in v0.28.1. */
  NOTIFY_WECOM_API_SECRET: text,
  NOTIFY_WECOM_TO_PARTY: text,
  NOTIFY_WECOM_TO_USER: text,
  /** Default: Alertmanager's https://qyapi.weixin.qq.com/cgi-bin/ (a proxy, if the network needs one). */
  NOTIFY_WECOM_API_URL: text.pipe(z.url().optional()),
  // E-mail through email_configs.
  NOTIFY_EMAIL_TO: text,
  NOTIFY_EMAIL_FROM: text,
  NOTIFY_EMAIL_SMARTHOST: text.pipe(
    z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'host:port of the SMTP server')
      .optional(),
  ),
  NOTIFY_EMAIL_AUTH_USERNAME: text,
  /** Alertmanager reads the password from this file (auth_password_file): mount it there. */
  NOTIFY_EMAIL_AUTH_PASSWORD_FILE: path,
  NOTIFY_EMAIL_REQUIRE_TLS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default('true')
    .transform((v) => v !== 'false' && v !== '0' && v !== 'no'),
  // Any HTTP endpoint that takes Alertmanager's webhook payload.
  NOTIFY_WEBHOOK_URL: text.pipe(z.url().optional()),
  /** Alertmanager reads the URL from this file (url_file): for URLs that carry a token. */
  NOTIFY_WEBHOOK_URL_FILE: path,
});

export type NotificationEnv = z.infer<typeof notificationEnvSchema>;

/**
 * `NAME_FILE` is read into `NAME` (packages/config) only for these: the secrets Alertmanager v0.28.1
 * cannot read from a file itself. NOTIFY_EMAIL_AUTH_PASSWORD_FILE and NOTIFY_WEBHOOK_URL_FILE are
 * passed through as paths, so those secrets never enter the rendered configuration.
 */
const READ_BY_US = new Set(Object.keys(notificationEnvSchema.shape).filter((k) => k !== 'NOTIFY_WEBHOOK_URL' && !k.endsWith('_FILE')));

/** Parses the notification settings; a ConfigError lists every problem, half-filled channels included. */
export function parseNotificationEnv(env: NodeJS.ProcessEnv): NotificationEnv {
  const result = notificationEnvSchema.safeParse(resolveFileSecrets(env, READ_BY_US));
  if (!result.success) {
    throw new ConfigError(
      'alertmanager-config',
      result.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  const issues = channelIssues(result.data);
  if (issues.length) throw new ConfigError('alertmanager-config', issues);
  return result.data;
}

/** What a half-filled channel lacks (a channel with nothing set is simply off). */
export function channelIssues(env: NotificationEnv): string[] {
  const issues: string[] = [];
  const given = (keys: (keyof NotificationEnv)[]) => keys.filter((k) => env[k] !== undefined);
  const wecom = given([
    'NOTIFY_WECOM_CORP_ID',
    'NOTIFY_WECOM_AGENT_ID',
    'NOTIFY_WECOM_API_SECRET',
    'NOTIFY_WECOM_TO_PARTY',
    'NOTIFY_WECOM_TO_USER',
    'NOTIFY_WECOM_API_URL',
  ]);
  if (wecom.length) {
    for (const k of ['NOTIFY_WECOM_CORP_ID', 'NOTIFY_WECOM_AGENT_ID', 'NOTIFY_WECOM_API_SECRET'] as const) {
      if (env[k] === undefined)
        issues.push(
          `${k}: WeCom is half configured (${wecom.join(', ')} set): set ${k}${k === 'NOTIFY_WECOM_API_SECRET' ? ' (or NOTIFY_WECOM_API_SECRET_FILE)' : ''} too`,
        );
    }
    if (env.NOTIFY_WECOM_TO_PARTY === undefined && env.NOTIFY_WECOM_TO_USER === undefined) {
      issues.push(
        'NOTIFY_WECOM_TO_PARTY: WeCom needs whom to notify: NOTIFY_WECOM_TO_PARTY (department ids, "1|2") and/or NOTIFY_WECOM_TO_USER (user ids, "a|b")',
      );
    }
  }
  const email = given(['NOTIFY_EMAIL_TO', 'NOTIFY_EMAIL_FROM', 'NOTIFY_EMAIL_SMARTHOST', 'NOTIFY_EMAIL_AUTH_USERNAME', 'NOTIFY_EMAIL_AUTH_PASSWORD_FILE']);
  if (email.length) {
    for (const k of ['NOTIFY_EMAIL_TO', 'NOTIFY_EMAIL_FROM', 'NOTIFY_EMAIL_SMARTHOST'] as const) {
      if (env[k] === undefined) issues.push(`${k}: e-mail is half configured (${email.join(', ')} set): set ${k} too`);
    }
    if ((env.NOTIFY_EMAIL_AUTH_USERNAME === undefined) !== (env.NOTIFY_EMAIL_AUTH_PASSWORD_FILE === undefined)) {
      issues.push(
        'NOTIFY_EMAIL_AUTH_PASSWORD_FILE: set NOTIFY_EMAIL_AUTH_USERNAME and NOTIFY_EMAIL_AUTH_PASSWORD_FILE together (SMTP authentication), or neither',
      );
    }
  }
  if (env.NOTIFY_WEBHOOK_URL !== undefined && env.NOTIFY_WEBHOOK_URL_FILE !== undefined) {
    issues.push('NOTIFY_WEBHOOK_URL_FILE: set NOTIFY_WEBHOOK_URL or NOTIFY_WEBHOOK_URL_FILE, not both');
  }
  return issues;
}

export type Channel = 'wecom' | 'email' | 'webhook';

/** The channels switched on (complete: parseNotificationEnv has rejected half-filled ones). */
export function configuredChannels(env: NotificationEnv): Channel[] {
  const on: Channel[] = [];
  if (env.NOTIFY_WECOM_CORP_ID !== undefined) on.push('wecom');
  if (env.NOTIFY_EMAIL_TO !== undefined) on.push('email');
  if (env.NOTIFY_WEBHOOK_URL !== undefined || env.NOTIFY_WEBHOOK_URL_FILE !== undefined) on.push('webhook');
  return on;
}

/**
 * Alertmanager's grouping timers. The defaults suit people (a first notification within 30 s of the
 * first alert of a group, changes to a group at most every 5 minutes); tests pass shorter ones so
 * that they need not wait, without changing anything else about the routing.
 */
export interface AlertmanagerTiming {
  groupWait: string;
  groupInterval: string;
  /** Warnings repeat twice a day while they fire; critical alerts every 4 hours. */
  repeatInterval: string;
  criticalRepeatInterval: string;
}

export const DEFAULT_TIMING: AlertmanagerTiming = { groupWait: '30s', groupInterval: '5m', repeatInterval: '12h', criticalRepeatInterval: '4h' };

/** The receivers, by what they get (routing below); each gets every configured channel. */
export const RECEIVERS = {
  taskForce: 'task-force',
  urgent: 'task-force-urgent',
  departments: 'departments',
} as const;

/** Alerts of one target, one task or one department's tasks are notified together. */
export const GROUP_BY = ['alertname', 'target', 'task', 'department'] as const;

/**
 * The message of WeCom and the text of e-mail: Alertmanager's subject line, then per alert its
 * summary and the runbook link of the rule (annotations.runbook_url).
 */
export const MESSAGE_TEMPLATE = [
  '{{ template "__subject" . }}',
  '{{- range .Alerts }}',
  '{{ if eq .Status "firing" }}[{{ .Labels.severity }}]{{ else }}[resolved]{{ end }} {{ .Annotations.summary }}',
  '{{- with .Annotations.runbook_url }}',
  'Runbook 处置手册: {{ . }}{{ end }}',
  '{{- end }}',
].join('\n');

export const EMAIL_SUBJECT =
  '[Silicon Alley {{ .Status | toUpper }}] {{ with .CommonAnnotations.summary }}{{ . }}{{ else }}{{ .GroupLabels.alertname }}{{ end }}';

export interface AlertmanagerConfig {
  global: Record<string, string>;
  route: Record<string, unknown>;
  inhibit_rules: Record<string, unknown>[];
  receivers: Record<string, unknown>[];
}

function channelConfigs(env: NotificationEnv): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  if (env.NOTIFY_WECOM_CORP_ID !== undefined) {
    out.wechat_configs = [
      {
        send_resolved: true,
        ...(env.NOTIFY_WECOM_API_URL ? { api_url: env.NOTIFY_WECOM_API_URL.endsWith('/') ? env.NOTIFY_WECOM_API_URL : `${env.NOTIFY_WECOM_API_URL}/` } : {}),
        corp_id: env.NOTIFY_WECOM_CORP_ID,
        api_secret: env.NOTIFY_WECOM_API_SECRET,
        agent_id: env.NOTIFY_WECOM_AGENT_ID,
        ...(env.NOTIFY_WECOM_TO_PARTY ? { to_party: env.NOTIFY_WECOM_TO_PARTY } : {}),
        ...(env.NOTIFY_WECOM_TO_USER ? { to_user: env.NOTIFY_WECOM_TO_USER } : {}),
        message_type: 'text',
        message: MESSAGE_TEMPLATE,
      },
    ];
  }
  if (env.NOTIFY_EMAIL_TO !== undefined) {
    out.email_configs = [
      {
        send_resolved: true,
        to: env.NOTIFY_EMAIL_TO,
        from: env.NOTIFY_EMAIL_FROM,
        smarthost: env.NOTIFY_EMAIL_SMARTHOST,
        ...(env.NOTIFY_EMAIL_AUTH_USERNAME ? { auth_username: env.NOTIFY_EMAIL_AUTH_USERNAME, auth_password_file: env.NOTIFY_EMAIL_AUTH_PASSWORD_FILE } : {}),
        require_tls: env.NOTIFY_EMAIL_REQUIRE_TLS,
        headers: { Subject: EMAIL_SUBJECT },
        text: MESSAGE_TEMPLATE,
      },
    ];
  }
  if (env.NOTIFY_WEBHOOK_URL !== undefined || env.NOTIFY_WEBHOOK_URL_FILE !== undefined) {
    out.webhook_configs = [
      {
        send_resolved: true,
        ...(env.NOTIFY_WEBHOOK_URL !== undefined ? { url: env.NOTIFY_WEBHOOK_URL } : { url_file: env.NOTIFY_WEBHOOK_URL_FILE }),
      },
    ];
  }
  return out;
}

/** The Alertmanager configuration for these settings: pure. */
export function alertmanagerConfig(env: NotificationEnv, timing: Partial<AlertmanagerTiming> = {}): AlertmanagerConfig {
  const t = { ...DEFAULT_TIMING, ...timing };
  const channels = channelConfigs(env);
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.taskForce,
      group_by: [...GROUP_BY],
      group_wait: t.groupWait,
      group_interval: t.groupInterval,
      repeat_interval: t.repeatInterval,
      routes: [
        // Critical (a missed target) to the task force's urgent receiver, repeated more often.
        { receiver: RECEIVERS.urgent, matchers: ['severity="critical"'], repeat_interval: t.criticalRepeatInterval },
        // Plan tasks name their lead department: the departments' receiver.
        { receiver: RECEIVERS.departments, matchers: ['department=~".+"'] },
        // Every other warning: the root's receiver (task-force).
      ],
    },
    inhibit_rules: [
      // A missed target is also flagged: notify the miss, not the flag as well.
      { source_matchers: ['alertname="TargetMissed"'], target_matchers: ['alertname="TargetFlagged"'], equal: ['target'] },
      // Any critical alert of a target silences that target's warnings. `target=~".+"`: Alertmanager
      // counts a label absent on both sides as equal, so without it a critical alert without a target
      // would silence every warning without one.
      { source_matchers: ['severity="critical"', 'target=~".+"'], target_matchers: ['severity="warning"'], equal: ['target'] },
    ],
    receivers: Object.values(RECEIVERS).map((name) => ({ name, ...channels })),
  };
}

/** The configuration as the file Alertmanager reads, with a header saying what is on. */
export function alertmanagerConfigYaml(env: NotificationEnv, timing: Partial<AlertmanagerTiming> = {}): string {
  const on = configuredChannels(env);
  const header = [
    '# GENERATED by services/alerting (src/notifications/alertmanager-config.ts): do not edit by hand.',
    '#   npm run alertmanager-config -w @siliconalley/service-alerting -- --out FILE   (stdout without --out)',
    '# Channels come from the environment (NOTIFY_WECOM_*, NOTIFY_EMAIL_*, NOTIFY_WEBHOOK_URL[_FILE]; README',
    '# "Notifications"). infra/alertmanager/alertmanager.yml is the rendering with none filled in, which',
    '# services/alerting/test/unit/alertmanager-config.test.ts compares with a fresh generation.',
    on.length
      ? `# Channels: ${on.join(', ')}.`
      : "# Channels: none. Every receiver notifies nobody; alerts are still grouped, inhibited and shown in\n# Alertmanager's UI and API (GET /api/v2/alerts).",
  ].join('\n');
  return `${header}\n${stringify(alertmanagerConfig(env, timing), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
