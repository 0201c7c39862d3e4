// The Grafana annotation client against a local HTTP server that checks the request as Grafana's
// HTTP API documents it: POST /api/annotations, `Authorization: Bearer <service account token>`,
// JSON body { time (epoch ms), tags: string[], text: string } (dashboardUID/panelId optional:
// without them the annotation is an organisation-wide one).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@siliconalley/logger';
import type { TargetJudgement } from '@siliconalley/targets';
import { alertKey, annotationOf, flagChangeEvent, GrafanaAnnotations, TASK_ALERT_EVENT_TYPE, taskFlagChangeEvent } from '../../src/alerts';
import type { TaskEntry } from '../../src/evaluate';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
}

async function grafana(answers: number[]): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = 'not json';
      }
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { message: 'Annotation added', id: seen.length } : { message: 'error' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const judgement: TargetJudgement = {
  id: 'T6_ZONE_SHARE',
  kpi: 'zone_share',
  scope: 'zone:QL',
  baselineDate: '2023-12-31',
  due: '2026-12-31',
  method: 'linear-v1',
  baseline: 0.2,
  target: 0.3,
  actual: 0.19,
  expected: 0.28,
  ratio: -0.125,
  forecast: 0.18,
  status: 'regressing',
  gapToPath: 0.09,
};
const logger = createLogger('test', 'silent');

function expectGrafanaShape(s: Seen, token: string, eventTime: string): void {
  expect(s.method).toBe('POST');
  expect(s.url).toBe('/api/annotations');
  expect(s.headers.authorization).toBe(`Bearer ${token}`);
  expect(s.headers['content-type']).toMatch(/^application\/json\b/);
  const body = s.body as { time: number; tags: unknown[]; text: string };
  expect(Object.keys(body).sort()).toEqual(['tags', 'text', 'time']);
  expect(body.time).toBe(Date.parse(eventTime));
  expect(Number.isInteger(body.time)).toBe(true);
  expect(body.tags.every((t) => typeof t === 'string')).toBe(true);
  expect(body.tags).toEqual(expect.arrayContaining(['siliconalley', 'T6_ZONE_SHARE', 'raised', 'regressing']));
  expect(body.text).toContain('T6_ZONE_SHARE');
}

describe('Grafana annotations', () => {
  it('posts the documented request shape', async () => {
    const g = await grafana([200]);
    const client = new GrafanaAnnotations({ url: `${g.url}/`, token: 'glsa_test', logger });
    const event = flagChangeEvent(judgement, 'raised', '2026-11-26', new Date('2026-11-26T04:00:00.123Z'));
    client.annotate(event);
    await client.drain();
    expect(g.seen).toHaveLength(1);
    expectGrafanaShape(g.seen[0]!, 'glsa_test', event.time);
    await g.close();
  });

  it('retries 5xx and 429 with a growing backoff, then stops', async () => {
    const g = await grafana([503, 429, 500, 200]);
    const client = new GrafanaAnnotations({ url: g.url, token: 't', logger, backoffMs: 50 });
    const event = flagChangeEvent(judgement, 'raised', '2026-11-26');
    client.annotate(event);
    await client.drain();
    expect(g.seen).toHaveLength(4);
    for (const s of g.seen) expectGrafanaShape(s, 't', event.time);
    const gaps = g.seen.slice(1).map((s, i) => s.at - g.seen[i]!.at);
    expect(gaps[0]!).toBeGreaterThanOrEqual(45);
    expect(gaps[1]!).toBeGreaterThanOrEqual(95);
    expect(gaps[2]!).toBeGreaterThanOrEqual(195);
    await g.close();
  });

  it('gives up after the last attempt, and does not retry a refusal (401)', async () => {
    const failing = await grafana([500, 500, 500, 500]);
    const client = new GrafanaAnnotations({ url: failing.url, token: 't', logger, backoffMs: 10, attempts: 3 });
    client.annotate(flagChangeEvent(judgement, 'raised', '2026-11-26'));
    await client.drain();
    expect(failing.seen).toHaveLength(3);
    await failing.close();

    const refusing = await grafana([401, 200]);
    const other = new GrafanaAnnotations({ url: refusing.url, token: 'bad', logger, backoffMs: 10 });
    other.annotate(flagChangeEvent(judgement, 'raised', '2026-11-26'));
    await other.drain();
    expect(refusing.seen).toHaveLength(1);
    await refusing.close();
  });

  it('never blocks the caller, also when Grafana is unreachable or never answers', async () => {
    const g = await grafana([]);
    await g.close(); // nobody listens there now
    const client = new GrafanaAnnotations({ url: g.url, token: 't', logger, backoffMs: 20, attempts: 3 });
    // annotate() hands the event over and returns: nothing for the caller to await.
    expect(client.annotate(flagChangeEvent(judgement, 'raised', '2026-11-26'))).toBeUndefined();
    await client.drain();

    // A Grafana that accepts the connection and never answers: the evaluation loop goes on regardless.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const hanging = new GrafanaAnnotations({
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      token: 't',
      logger,
      backoffMs: 20,
      attempts: 1,
    });
    expect(hanging.annotate(flagChangeEvent(judgement, 'raised', '2026-11-26'))).toBeUndefined();
    // Still in flight: only closing the connection ends it (drain would otherwise wait for it).
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
    await hanging.drain();
  });
});

describe('plan-task flag events', () => {
  const task: TaskEntry = {
    id: 12,
    section: '四',
    action: '科创党建联促共进专项行动',
    name: '任务十二',
    lead: ['区科信局'],
    cooperating: [],
    status: 'blocked',
    percentComplete: 40,
    period: '2026-Q3',
    dueQuarter: '2026-Q3',
    overdue: false,
    blocked: true,
  };

  it('is a CloudEvent of its own type, keyed task:<id>, with the reason', () => {
    const raised = taskFlagChangeEvent(task, 'raised', '2026-11-26', new Date('2026-11-26T04:00:00Z'));
    expect(raised).toMatchObject({
      specversion: '1.0',
      type: TASK_ALERT_EVENT_TYPE,
      subject: 'task/12',
      data: { task: 12, change: 'raised', flagged: true, reason: 'blocked', lead: ['区科信局'] },
    });
    expect(alertKey(raised)).toBe('task:12');
    const cleared = taskFlagChangeEvent({ ...task, blocked: false, status: 'in_progress' }, 'cleared', '2026-11-27');
    expect(cleared.data).toMatchObject({ change: 'cleared', flagged: false, reason: null });
    expect(alertKey(flagChangeEvent(judgement, 'raised', '2026-11-26'))).toBe('T6_ZONE_SHARE');
  });

  it('is annotated in Grafana with task tags', async () => {
    const g = await grafana([200]);
    const client = new GrafanaAnnotations({ url: g.url, token: 't', logger });
    const event = taskFlagChangeEvent(task, 'raised', '2026-11-26');
    client.annotate(event);
    await client.drain();
    expect(g.seen).toHaveLength(1);
    expect(g.seen[0]!.body).toEqual(annotationOf(event));
    expect(annotationOf(event).tags).toEqual(['siliconalley', 'task', 'task-12', 'raised', 'blocked', '区科信局']);
    expect(annotationOf(event).text).toMatch(/^Plan task 12 \(任务十二\) flagged: blocked as of 2026-11-26/);
    await g.close();
  });
});
