// The services of the system as the local stack runs them. docker-compose.yml runs the same
// services (a test checks that both agree) and Prometheus scrapes each one's ops port.
import { join } from 'node:path';
import { repoRoot } from './paths';
import { kafkaBrokers, mongoUrl, type StackLayout } from './layout';

export interface ServiceDef {
  /** Instance name: process, log file, Prometheus `job`. */
  name: string;
  /** Workspace folder under services/. */
  workspace: string;
  /** Ops port offset from the layout's serviceBase: /metrics, /healthz, /readyz. */
  opsPortOffset: number;
  /** API port offset (internal HTTP API behind the gateway), if the service has one. */
  apiPortOffset?: number;
  /** Serves or calls the internal APIs: gets the stack's INTERNAL_API_SECRET_FILE (internal-secret.ts). */
  internalApi?: boolean;
  env?: (layout: StackLayout) => Record<string, string>;
}

export const SERVICES: ServiceDef[] = [
  { name: 'ingest-registration', workspace: 'ingest', opsPortOffset: 1, env: () => ({ INGEST_STREAMS: 'enterprise' }) },
  { name: 'ingest-certification', workspace: 'ingest', opsPortOffset: 2, env: () => ({ INGEST_STREAMS: 'certification' }) },
  { name: 'ingest-task', workspace: 'ingest', opsPortOffset: 3, env: () => ({ INGEST_STREAMS: 'task' }) },
  { name: 'indicator', workspace: 'indicator', opsPortOffset: 4, apiPortOffset: 14, internalApi: true },
  {
    name: 'alerting',
    workspace: 'alerting',
    opsPortOffset: 5,
    apiPortOffset: 15,
    internalApi: true,
    env: (layout) => ({ INDICATOR_URL: `http://127.0.0.1:${apiPort(layout, 'indicator')}` }),
  },
  {
    name: 'gateway',
    workspace: 'gateway',
    opsPortOffset: 0,
    internalApi: true,
    env: (layout) => ({
      HTTP_PORT: String(layout.ports.gateway),
      INDICATOR_URL: `http://127.0.0.1:${apiPort(layout, 'indicator')}`,
      ALERTING_URL: `http://127.0.0.1:${apiPort(layout, 'alerting')}`,
    }),
  },
];

/** The internal API port of a service (by name), for the services that call it. */
export function apiPort(layout: StackLayout, name: string): number {
  const s = SERVICES.find((x) => x.name === name);
  if (s?.apiPortOffset === undefined) throw new Error(`service ${name} has no API port`);
  return layout.ports.serviceBase + s.apiPortOffset;
}

export const opsPort = (layout: StackLayout, s: ServiceDef) => layout.ports.serviceBase + s.opsPortOffset;

export function serviceEnv(layout: StackLayout, s: ServiceDef): Record<string, string> {
  return {
    NODE_ENV: 'production',
    SERVICE_NAME: s.name,
    KAFKA_BROKERS: kafkaBrokers(layout),
    MONGO_URL: mongoUrl(layout),
    OPS_PORT: String(opsPort(layout, s)),
    ...(s.apiPortOffset !== undefined ? { HTTP_PORT: String(layout.ports.serviceBase + s.apiPortOffset) } : {}),
    ...(s.env?.(layout) ?? {}),
  };
}

export const serviceEntry = (s: ServiceDef) => join(repoRoot, 'services', s.workspace, 'dist', 'index.js');

/** The local Prometheus configuration: every service's ops port, our rules, the local Alertmanager. */
export function localPrometheusConfig(layout: StackLayout, services: ServiceDef[]): string {
  const lines = [
    '# Written by packages/devstack for the local stack; infra/prometheus/prometheus.yml is the compose one.',
    'global:',
    '  scrape_interval: 5s',
    '  evaluation_interval: 5s',
    'rule_files:',
    `  - ${join(repoRoot, 'infra/prometheus/rules')}/*.yml`,
    'alerting:',
    '  alertmanagers:',
    '    - static_configs:',
    `        - targets: ['127.0.0.1:${layout.ports.alertmanager}']`,
    'scrape_configs:',
    '  - job_name: prometheus',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${layout.ports.prometheus}']`,
    '  - job_name: alertmanager',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${layout.ports.alertmanager}']`,
  ];
  for (const s of services) {
    lines.push(`  - job_name: ${s.name}`, '    static_configs:', `      - targets: ['127.0.0.1:${opsPort(layout, s)}']`);
  }
  return `${lines.join('\n')}\n`;
}
