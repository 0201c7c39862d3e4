// docker-compose.yml, the Dockerfiles, the compose Prometheus configuration and Grafana provisioning
// cannot be run on a machine without a Docker engine, so they are checked here against the code
// they describe: the services of the local stack (SERVICES), each service's config schema, the
// topics of the contract and the pinned versions.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TOPICS } from '@siliconalley/contract';
import { devLayout } from '../../src/layout';
import { componentVersions, repoRoot } from '../../src/paths';
import { SERVICES, opsPort } from '../../src/services';
import { ACCEPTED_TOPIC_PARTITIONS, TOPIC_PARTITIONS } from '../../src/topics';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  expose?: (string | number)[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  command?: string | string[];
  entrypoint?: string | string[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
}
interface Compose {
  services: Record<string, ComposeService>;
}

/** What the test needs of a service's zod environment schema. */
interface EnvSchema {
  shape: Record<string, unknown>;
  safeParse(env: unknown): { success: true } | { success: false; error: { issues: unknown[] } };
}

/**
 * Each workspace's environment schema (what its `load…Config` parses), from its source: the config
 * modules only define schemas at import time. Loaded with require() rather than `import` because
 * the services lie outside this package's tsconfig rootDir, which `npm run typecheck` enforces.
 */
const SCHEMAS: Record<string, EnvSchema | undefined> = {
  ingest: (require('../../../../services/ingest/src/config') as Record<string, EnvSchema>).ingestConfigSchema,
  indicator: (require('../../../../services/indicator/src/config') as Record<string, EnvSchema>).indicatorConfigSchema,
  gateway: (require('../../../../services/gateway/src/config') as Record<string, EnvSchema>).gatewayConfigSchema,
  alerting: (require('../../../../services/alerting/src/config') as Record<string, EnvSchema>).alertingConfigSchema,
};

const readText = (rel: string) => readFileSync(join(repoRoot, rel), 'utf8');
const readYaml = <T>(rel: string): T => parse(readText(rel), { merge: true }) as T;

const compose = readYaml<Compose>('docker-compose.yml');
const prometheus = readYaml<{
  rule_files?: string[];
  alerting?: { alertmanagers?: { static_configs?: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
}>('infra/prometheus/prometheus.yml');

/** What Compose would pass for `${NAME:-default}` with nothing set: the default. */
const interpolate = (value: string) => value.replace(/\$\{(\w+)(?::?[-?]([^}]*))?\}/g, (_m, _name, fallback?: string) => fallback ?? '');

function environment(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  const pairs: [string, unknown][] = Array.isArray(env)
    ? env.map((line) => (line.includes('=') ? [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] : [line, '']))
    : Object.entries(env);
  return Object.fromEntries(pairs.map(([k, v]) => [k, v === null ? '' : interpolate(String(v))]));
}

function buildOf(svc: ComposeService): { context: string; dockerfile: string; service: string | null } | null {
  if (!svc.build) return null;
  if (typeof svc.build === 'string') return { context: svc.build, dockerfile: 'Dockerfile', service: null };
  return { context: svc.build.context ?? '.', dockerfile: svc.build.dockerfile ?? 'Dockerfile', service: svc.build.args?.SERVICE ?? null };
}

/** Published ports as { host, container }, from the short ("[ip:]host:container[/proto]") or long syntax. */
function publishedPorts(svc: ComposeService): { host: number | null; container: number }[] {
  return (svc.ports ?? []).map((p) => {
    if (typeof p === 'object') return { host: p.published === undefined ? null : Number(p.published), container: Number(p.target) };
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts[parts.length - 1]);
    return { host: parts.length >= 2 ? Number(parts[parts.length - 2]) : null, container };
  });
}

function dependsOn(svc: ComposeService): Record<string, string> {
  const d = svc.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, 'service_started'])) : Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.condition]));
}

const hostPort = (target: string) => {
  const m = /^([^:/]+):(\d+)$/.exec(target);
  if (!m) throw new Error(`not host:port: ${target}`);
  return { host: m[1]!, port: Number(m[2]) };
};

/** What the service parses once its NAME_FILE files are read (they are made at run time, e.g. by a one-shot). */
const withFileSecretsRead = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => (k.endsWith('_FILE') && v ? [k.slice(0, -'_FILE'.length), `<content of ${v}>`] : [k, v])));

const commandText = (c: string | string[] | undefined) => (Array.isArray(c) ? c.join(' ') : (c ?? ''));

/** The port an infrastructure container listens on, from its `--web.listen-address=:PORT` flag. */
function listenPort(svc: ComposeService): number | null {
  const m = /--web\.listen-address=[^\s:]*:(\d+)/.exec(commandText(svc.command));
  return m ? Number(m[1]) : null;
}

const serviceNames = Object.keys(compose.services);
/** Grafana listens on its default port 3000 (published as such). */
const listenPortOfGrafana = () => publishedPorts(compose.services.grafana!).map((p) => p.container)[0];
const service = (name: string): ComposeService => {
  const svc = compose.services[name];
  if (!svc) throw new Error(`docker-compose.yml has no service ${name}`);
  return svc;
};

describe('docker-compose.yml: builds', () => {
  const built = serviceNames.filter((n) => buildOf(service(n)));

  it('has services built from this repository', () => {
    expect(built.length).toBeGreaterThan(0);
  });

  it.each(built)('%s: the build context and Dockerfile exist', (name) => {
    const b = buildOf(service(name))!;
    const context = join(repoRoot, b.context);
    expect(existsSync(context) && statSync(context).isDirectory()).toBe(true);
    expect(existsSync(join(context, b.dockerfile))).toBe(true);
  });

  it.each(built)('%s: the shared Dockerfile prunes, builds and runs the service named by SERVICE, as `node`', (name) => {
    const b = buildOf(service(name))!;
    expect(b.dockerfile).toBe('infra/docker/service.Dockerfile');
    expect(b.service).not.toBeNull();
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'services', b.service!, 'package.json'), 'utf8')) as { name: string; main: string };
    expect(pkg.name).toBe(`@siliconalley/service-${b.service}`);
    expect(existsSync(join(repoRoot, 'services', b.service!, 'src/index.ts'))).toBe(true);
    const text = readFileSync(join(repoRoot, b.context, b.dockerfile), 'utf8');
    expect(text).toMatch(/^FROM \$\{NODE_IMAGE\} AS pruner$/m);
    // The major of versions.env's NODE_VERSION, which the local stack and the tests run on.
    expect(text).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${componentVersions().node.split('.')[0]}(\\.[\\d.]+)?(-[-\\w.]+)?$`, 'm'));
    expect(text).toContain('turbo prune "@siliconalley/service-${SERVICE}" --docker');
    expect(text).toMatch(/^RUN npm ci\b/m);
    expect(text).toContain('turbo run build --filter="@siliconalley/service-${SERVICE}"');
    expect(text).toMatch(/^USER node$/m);
    expect(text).toContain('SERVICE_ENTRY=services/${SERVICE}/dist/index.js');
    expect(pkg.main === undefined || pkg.main.endsWith('dist/index.js')).toBe(true);
  });

  it('pins one Node.js: versions.env, .nvmrc, engines and @types/node agree on the release line', () => {
    const node = componentVersions().node;
    expect(readText('.nvmrc').trim()).toBe(node);
    const root = JSON.parse(readText('package.json')) as { engines: { node: string }; devDependencies: Record<string, string> };
    const major = node.split('.')[0];
    expect(root.engines.node).toBe(`>=${major} <${Number(major) + 1}`);
    expect(root.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
  });

  it('ignores local artefacts in the build context', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.local', '.turbo', '.git']) expect(ignored).toContain(entry);
  });

  it('mounts only files that exist', () => {
    for (const name of serviceNames) {
      for (const v of service(name).volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '');
        if (source.startsWith('.') || source.startsWith('/'))
          expect({ name, source, exists: existsSync(join(repoRoot, source)) }).toEqual({ name, source, exists: true });
      }
    }
  });
});

describe('docker-compose.yml: the services of the local stack', () => {
  it('runs every service instance of SERVICES under the same name, and no other built service', () => {
    for (const s of SERVICES) expect(serviceNames).toContain(s.name);
    const built = serviceNames.filter((n) => buildOf(service(n)));
    expect(built.sort()).toEqual(SERVICES.map((s) => s.name).sort());
  });

  describe.each(SERVICES.map((s) => [s.name, s] as const))('%s', (name, s) => {
    const svc = () => service(name);
    const schema = SCHEMAS[s.workspace];
    const env = () => environment(svc());

    it('is built from its workspace', () => {
      expect(schema).toBeDefined();
      expect(buildOf(svc())).toEqual({ context: '.', dockerfile: 'infra/docker/service.Dockerfile', service: s.workspace });
    });

    it('sets only environment names its config schema knows (NAME_FILE for a known NAME: packages/config reads the file)', () => {
      const known = Object.keys(schema!.shape);
      const unknown = Object.keys(env()).filter((k) => !known.includes(k) && !(k.endsWith('_FILE') && known.includes(k.slice(0, -'_FILE'.length))));
      expect(unknown).toEqual([]);
    });

    it('passes its config schema with that environment', () => {
      const result = schema!.safeParse(withFileSecretsRead(env()));
      expect(result.success ? [] : result.error.issues).toEqual([]);
    });

    it('names itself, and points at the compose Kafka and MongoDB', () => {
      const e = env();
      expect(e.SERVICE_NAME).toBe(name);
      for (const broker of e.KAFKA_BROKERS!.split(',')) expect(serviceNames).toContain(hostPort(broker.trim()).host);
      expect(serviceNames).toContain(new URL(e.MONGO_URL!).hostname);
    });

    it('uses the ports and settings of the local stack inside its container', () => {
      const e = env();
      expect(Number(e.OPS_PORT)).toBe(opsPort(devLayout, s));
      if (s.apiPortOffset !== undefined) expect(Number(e.HTTP_PORT)).toBe(devLayout.ports.serviceBase + s.apiPortOffset);
      // The environment the local stack gives each instance, less what differs by construction
      // (loopback addresses, NODE_ENV set by the image), is the compose environment.
      const local = s.env?.(devLayout) ?? {};
      for (const [k, v] of Object.entries(local)) {
        if (k === 'INDICATOR_URL' || k === 'ALERTING_URL') continue;
        expect({ [k]: e[k] }).toEqual({ [k]: v });
      }
    });

    it('keeps its ops port private', () => {
      const published = publishedPorts(svc()).map((p) => p.container);
      expect(published).not.toContain(Number(env().OPS_PORT));
    });

    it('has a healthcheck on its ops port (/healthz or /readyz)', () => {
      const test = commandText(svc().healthcheck?.test);
      expect(test).toMatch(/\/(healthz|readyz)\b/);
      expect(test.includes('OPS_PORT') || test.includes(`:${env().OPS_PORT}/`)).toBe(true);
    });

    it('waits for Kafka, MongoDB and the topics', () => {
      expect(dependsOn(svc())).toMatchObject({
        kafka: 'service_healthy',
        mongo: 'service_healthy',
        topics: 'service_completed_successfully',
      });
    });
  });

  it('publishes the gateway on HTTP_PORT 8080 and no other service port', () => {
    const gateway = service('gateway');
    expect(Number(environment(gateway).HTTP_PORT)).toBe(devLayout.ports.gateway);
    expect(publishedPorts(gateway)).toEqual([{ host: 8080, container: 8080 }]);
    for (const s of SERVICES.filter((x) => x.name !== 'gateway')) expect(publishedPorts(service(s.name))).toEqual([]);
  });

  it('routes the gateway to the indicator API by service name and HTTP_PORT', () => {
    const url = new URL(environment(service('gateway')).INDICATOR_URL!);
    expect(url.hostname).toBe('indicator');
    expect(Number(url.port)).toBe(Number(environment(service('indicator')).HTTP_PORT));
  });

  it('routes the gateway and alerting to the internal APIs by service name and HTTP_PORT', () => {
    const alerting = new URL(environment(service('gateway')).ALERTING_URL!);
    expect(alerting.hostname).toBe('alerting');
    expect(Number(alerting.port)).toBe(Number(environment(service('alerting')).HTTP_PORT));
    const indicator = new URL(environment(service('alerting')).INDICATOR_URL!);
    expect(indicator.hostname).toBe('indicator');
    expect(Number(indicator.port)).toBe(Number(environment(service('indicator')).HTTP_PORT));
  });

  it('listens on every interface of its container where other containers call (services listen on loopback by default)', () => {
    for (const s of SERVICES) {
      const e = environment(service(s.name));
      // Prometheus scrapes every ops port; the gateway's and the internal APIs' ports are called.
      expect({ name: s.name, OPS_HOST: e.OPS_HOST }).toEqual({ name: s.name, OPS_HOST: '0.0.0.0' });
      if (s.apiPortOffset !== undefined || s.name === 'gateway')
        expect({ name: s.name, HTTP_HOST: e.HTTP_HOST }).toEqual({ name: s.name, HTTP_HOST: '0.0.0.0' });
      else expect(e.HTTP_HOST).toBeUndefined();
    }
  });

  it('gives the gateway and the internal APIs the secret the internal-secret one-shot makes, and no one else', () => {
    const oneShot = service('internal-secret');
    expect(oneShot.image).toBe(service('gateway').image);
    expect(oneShot.volumes).toEqual(['internal-secret:/internal-secret']);
    const script = commandText(oneShot.command);
    expect(script).toContain("'/internal-secret/secret'");
    expect(script).toContain('randomBytes(32)');
    expect(script).toContain('0o600');
    expect(script).toContain('chownSync(file, 1000, 1000)'); // the image's `node` user
    expect(script).not.toContain('$'); // nothing for Compose to interpolate
    for (const s of SERVICES) {
      const svc = service(s.name);
      const e = environment(svc);
      if (s.internalApi) {
        expect({ name: s.name, file: e.INTERNAL_API_SECRET_FILE }).toEqual({ name: s.name, file: '/internal-secret/secret' });
        expect(e.INTERNAL_API_SECRET).toBeUndefined();
        expect(svc.volumes).toContain('internal-secret:/internal-secret:ro');
        expect(dependsOn(svc)['internal-secret']).toBe('service_completed_successfully');
      } else {
        expect({ name: s.name, file: e.INTERNAL_API_SECRET_FILE }).toEqual({ name: s.name, file: undefined });
        expect(svc.volumes ?? []).not.toContain('internal-secret:/internal-secret:ro');
      }
    }
  });

  it('depends only on services that exist, and waits for health only where there is a healthcheck', () => {
    for (const name of serviceNames) {
      for (const [dep, condition] of Object.entries(dependsOn(service(name)))) {
        expect(serviceNames).toContain(dep);
        if (condition === 'service_healthy') expect({ dep, healthcheck: Boolean(service(dep).healthcheck?.test) }).toEqual({ dep, healthcheck: true });
      }
    }
  });
});

describe('docker-compose.yml: Kafka', () => {
  const { kafka: version } = componentVersions();

  it('runs the official image at the version of infra/local/versions.env', () => {
    expect(service('kafka').image).toBe(`apache/kafka:${version}`);
  });

  it('is a single KRaft node without topic auto-creation', () => {
    const e = environment(service('kafka'));
    expect(e.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(e.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(e.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(e.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('creates every topic of the contract with the local stack partitions and retention', () => {
    const topics = service('topics');
    expect(topics.image).toBe(`apache/kafka:${version}`);
    expect(dependsOn(topics)).toEqual({ kafka: 'service_healthy' });
    const script = `${commandText(topics.entrypoint)} ${commandText(topics.command)}`;
    expect(script).toContain('kafka-topics.sh');
    for (const topic of Object.values(TOPICS)) expect(script).toContain(topic);
    expect(script).toContain(`--partitions ${TOPIC_PARTITIONS}`);
    expect(script).toMatch(new RegExp(`--topic ${TOPICS.accepted.replaceAll('.', '\\.')} --partitions ${ACCEPTED_TOPIC_PARTITIONS} `));
    expect(script).toContain('retention.ms=-1');
  });
});

describe('docker-compose.yml: Prometheus and Alertmanager', () => {
  const versions = componentVersions();

  it('run the official images at the versions the local stack and the tests build (infra/local/versions.env)', () => {
    expect({ prometheus: service('prometheus').image, alertmanager: service('alertmanager').image }).toEqual({
      prometheus: `prom/prometheus:v${versions.prometheus}`,
      alertmanager: `prom/alertmanager:v${versions.alertmanager}`,
    });
  });

  it('names the Go module version of that Prometheus release (3.x.y is v0.3xx.y)', () => {
    const [major, minor, patch] = versions.prometheus.split('.').map(Number) as [number, number, number];
    expect(versions.prometheusModule).toBe(`v0.${major * 100 + minor}.${patch}`);
  });
});

describe('infra/prometheus/prometheus.yml (compose)', () => {
  const jobs = prometheus.scrape_configs;
  const targets = jobs.flatMap((j) => (j.static_configs ?? []).flatMap((c) => c.targets.map((t) => ({ job: j.job_name, ...hostPort(t) }))));

  it('scrapes every target by a compose service name on the port it serves metrics on', () => {
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      expect(serviceNames).toContain(t.host);
      const svc = service(t.host);
      const port = environment(svc).OPS_PORT !== undefined ? Number(environment(svc).OPS_PORT) : listenPort(svc);
      expect({ target: `${t.host}:${t.port}`, port: t.port }).toEqual({ target: `${t.host}:${t.port}`, port });
    }
  });

  it('has one job per service instance, named after it, and jobs for Prometheus and Alertmanager', () => {
    for (const s of SERVICES) {
      expect(targets.filter((t) => t.job === s.name).map((t) => t.host)).toEqual([s.name]);
    }
    expect(targets.find((t) => t.job === 'prometheus')?.host).toBe('prometheus');
    expect(targets.find((t) => t.job === 'alertmanager')?.host).toBe('alertmanager');
  });

  it('loads the rules folder that compose mounts, and alerts to the compose Alertmanager', () => {
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(service('prometheus').volumes).toContain('./infra/prometheus:/etc/prometheus:ro');
    expect(existsSync(join(repoRoot, 'infra/prometheus/rules'))).toBe(true);
    const am = (prometheus.alerting?.alertmanagers ?? []).flatMap((a) => (a.static_configs ?? []).flatMap((c) => c.targets));
    expect(am).toEqual(['alertmanager:9093']);
    expect(listenPort(service('alertmanager'))).toBe(9093);
  });

  it('runs Alertmanager on the configuration the alertmanager-config one-shot renders (services/alerting)', () => {
    const am = service('alertmanager');
    const oneShot = service('alertmanager-config');
    expect(dependsOn(am)).toEqual({ 'alertmanager-config': 'service_completed_successfully' });
    expect(commandText(am.command)).toContain('--config.file=/config/alertmanager.yml');
    expect(am.volumes).toContain('alertmanager-config:/config:ro');
    expect(oneShot.image).toBe(service('alerting').image);
    expect(commandText(oneShot.command)).toBe('node services/alerting/dist/alertmanager-config-cli.js --out /config/alertmanager.yml --owner 65534:65534');
    expect(existsSync(join(repoRoot, 'services/alerting/src/alertmanager-config-cli.ts'))).toBe(true);
    expect(oneShot.volumes).toEqual(['alertmanager-config:/config']);
    // Every setting it passes is one the generator knows (a typo would silently switch a channel off).
    const notify = (require('../../../../services/alerting/src/notifications/alertmanager-config') as Record<string, EnvSchema>).notificationEnvSchema!;
    const knows = (k: string) => k in notify.shape || (k.endsWith('_FILE') && k.slice(0, -'_FILE'.length) in notify.shape);
    expect(Object.keys(environment(oneShot)).filter((k) => !knows(k))).toEqual([]);
    expect(notify.safeParse(environment(oneShot)).success).toBe(true);
  });

  it('gives the alerting service a Grafana token made by the grafana-token one-shot', () => {
    const oneShot = service('grafana-token');
    const alerting = service('alerting');
    expect(oneShot.image).toBe(alerting.image);
    expect(dependsOn(oneShot)).toEqual({ grafana: 'service_healthy' });
    expect(commandText(oneShot.command)).toBe('node services/alerting/dist/grafana-token-cli.js --out /grafana-token/token --owner 1000:1000');
    expect(oneShot.volumes).toEqual(['grafana-token:/grafana-token']);
    const tokenSchema = (require('../../../../services/alerting/src/notifications/grafana-token') as Record<string, EnvSchema>).grafanaTokenEnvSchema!;
    expect(Object.keys(environment(oneShot)).filter((k) => !(k in tokenSchema.shape))).toEqual([]);
    expect(tokenSchema.safeParse(environment(oneShot)).success).toBe(true);
    expect(new URL(environment(oneShot).GRAFANA_URL!).host).toBe(`grafana:${listenPortOfGrafana()}`);
    expect(environment(alerting)).toMatchObject({ GRAFANA_URL: environment(oneShot).GRAFANA_URL, GRAFANA_TOKEN_FILE: '/grafana-token/token' });
    expect(alerting.volumes).toContain('grafana-token:/grafana-token:ro');
    expect(dependsOn(alerting)['grafana-token']).toBe('service_completed_successfully');
  });
});

describe('infra/grafana provisioning', () => {
  it('provisions the Prometheus datasource with the pinned uid', () => {
    const ds = readYaml<{ datasources: { uid: string; type: string; url: string }[] }>('infra/grafana/provisioning/datasources/prometheus.yml');
    const prom = ds.datasources.find((d) => d.type === 'prometheus');
    expect(prom?.uid).toBe('siliconalley-prometheus');
    const url = new URL(prom!.url);
    expect(serviceNames).toContain(url.hostname);
    expect(Number(url.port)).toBe(listenPort(service(url.hostname)));
  });

  it('reads dashboards from the folder compose mounts into the Silicon Alley folder', () => {
    const p = readYaml<{ providers: { type: string; folder: string; options: { path: string } }[] }>('infra/grafana/provisioning/dashboards/siliconalley.yml');
    expect(p.providers).toHaveLength(1);
    expect(p.providers[0]).toMatchObject({ type: 'file', folder: 'Silicon Alley', options: { path: '/var/lib/grafana/dashboards' } });
    const volumes = service('grafana').volumes ?? [];
    expect(volumes).toContain('./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(volumes).toContain('./infra/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(publishedPorts(service('grafana'))).toEqual([{ host: 3000, container: 3000 }]);
  });
});
