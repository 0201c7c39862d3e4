// A Grafana service account token for the alerting service's annotations (alerts.ts
// GrafanaAnnotations: POST /api/annotations with `Authorization: Bearer <token>`), made through
// Grafana's HTTP API with the admin's basic auth:
//   GET  /api/health                                  wait until Grafana answers (database ok)
//   GET  /api/serviceaccounts/search?query=<name>     find the account (exact name)
//   POST /api/serviceaccounts {name, role}            or create it, role Editor (annotations:create)
//   POST /api/serviceaccounts/:id/tokens {name}       a token, shown once: the caller keeps it in a file
// Idempotent: a token kept from an earlier run is checked first (GET /api/annotations?limit=1 with
// it: the read beside the write it is for) and kept while Grafana accepts it, so restarts do not pile
// up tokens; the account is found before it is created.
import { z } from '@siliconalley/config';

export const SERVICE_ACCOUNT_ROLE = 'Editor';
/** Roles that may create organisation annotations. */
const SUFFICIENT_ROLES = new Set(['Editor', 'Admin']);

export const grafanaTokenEnvSchema = z.object({
  GRAFANA_URL: z.url().default('http://127.0.0.1:3000'),
  GRAFANA_ADMIN_USER: z.string().min(1).default('admin'),
  /** Or GRAFANA_ADMIN_PASSWORD_FILE. */
  GRAFANA_ADMIN_PASSWORD: z.string().min(1),
  GRAFANA_SERVICE_ACCOUNT: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,189}$/, 'letters, digits and . _ - only')
    .default('siliconalley-alerting'),
  /** How long to wait for Grafana's /api/health to answer (it migrates its database on a first start). */
  GRAFANA_WAIT_SECONDS: z.coerce.number().int().min(0).default(180),
});
export type GrafanaTokenEnv = z.infer<typeof grafanaTokenEnvSchema>;

export interface GrafanaTokenOptions {
  url: string;
  adminUser: string;
  adminPassword: string;
  account: string;
  /** A token kept from an earlier run: reused while Grafana accepts it. */
  existingToken?: string;
  waitMs?: number;
  /** Between health probes. */
  pollMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface GrafanaTokenResult {
  token: string;
  /** false: the existing token still works and is kept. */
  created: boolean;
  accountId: number | null;
  accountCreated: boolean;
}

export class GrafanaApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GrafanaApiError';
  }
}

interface ServiceAccount {
  id: number;
  name: string;
  login?: string;
  role: string;
  isDisabled?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls GET /api/health until it answers 200 with the database ok. */
export async function waitForGrafana(url: string, waitMs: number, pollMs = 1000, log: (l: string) => void = () => undefined): Promise<void> {
  const deadline = Date.now() + waitMs;
  let last = 'no answer';
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json().catch(() => ({}))) as { database?: string };
      if (res.ok && (body.database === undefined || body.database === 'ok')) return;
      last = `HTTP ${res.status}${body.database ? `, database ${body.database}` : ''}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new GrafanaApiError(`Grafana at ${url} is not healthy after ${Math.round(waitMs / 1000)} s (last: ${last})`);
    if (attempt === 0) log(`waiting for Grafana at ${url}/api/health (${last})`);
    await sleep(pollMs);
  }
}

export async function provisionGrafanaToken(opts: GrafanaTokenOptions): Promise<GrafanaTokenResult> {
  const url = opts.url.replace(/\/+$/, '');
  const log = opts.log ?? (() => undefined);
  await waitForGrafana(url, opts.waitMs ?? 180000, opts.pollMs, log);

  if (opts.existingToken) {
    const res = await fetch(`${url}/api/annotations?limit=1`, {
      headers: { authorization: `Bearer ${opts.existingToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10000),
    });
    if (res.ok) return { token: opts.existingToken, created: false, accountId: null, accountCreated: false };
    if (res.status !== 401 && res.status !== 403) throw new GrafanaApiError(`checking the kept token: GET /api/annotations answered ${res.status}`, res.status);
    log(`the kept token is refused (${res.status}): making a new one`);
  }

  const basic = `Basic ${Buffer.from(`${opts.adminUser}:${opts.adminPassword}`).toString('base64')}`;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: basic, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    if (res.status === 401)
      throw new GrafanaApiError(
        `Grafana refused the admin credentials (GRAFANA_ADMIN_USER ${JSON.stringify(opts.adminUser)}, GRAFANA_ADMIN_PASSWORD): ${method} ${path} answered 401`,
        401,
      );
    if (res.status === 403)
      throw new GrafanaApiError(`${opts.adminUser} may not manage service accounts (${method} ${path} answered 403): use a Grafana admin`, 403);
    if (!res.ok) throw new GrafanaApiError(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`, res.status);
    return JSON.parse(text) as T;
  };

  const found = await call<{ serviceAccounts?: ServiceAccount[] }>(
    'GET',
    `/api/serviceaccounts/search?query=${encodeURIComponent(opts.account)}&perpage=100&page=1`,
  );
  let account = (found.serviceAccounts ?? []).find((a) => a.name === opts.account);
  let accountCreated = false;
  if (account) {
    if (account.isDisabled)
      throw new GrafanaApiError(`service account ${opts.account} (id ${account.id}) is disabled in Grafana: enable it, or delete it to have it made again`);
    if (!SUFFICIENT_ROLES.has(account.role)) {
      throw new GrafanaApiError(
        `service account ${opts.account} (id ${account.id}) has role ${account.role}, which may not create annotations: give it the role ${SERVICE_ACCOUNT_ROLE} in Grafana, or delete it to have it made again`,
      );
    }
  } else {
    account = await call<ServiceAccount>('POST', '/api/serviceaccounts', { name: opts.account, role: SERVICE_ACCOUNT_ROLE, isDisabled: false });
    accountCreated = true;
    log(`created Grafana service account ${opts.account} (id ${account.id}, role ${SERVICE_ACCOUNT_ROLE})`);
  }
  // Token names are unique per account: the time makes each run's its own.
  const stamp = (opts.now?.() ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const token = await call<{ id: number; name: string; key: string }>('POST', `/api/serviceaccounts/${account.id}/tokens`, {
    name: `${opts.account}-${stamp}`,
  });
  if (!token.key) throw new GrafanaApiError(`POST /api/serviceaccounts/${account.id}/tokens returned no key`);
  log(`created token ${token.name} for service account ${opts.account}`);
  return { token: token.key, created: true, accountId: account.id, accountCreated };
}
