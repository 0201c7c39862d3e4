// GET /api/v1/pipeline's numbers (pipelineStatus) from in-memory ledgers, partition ends and an
// indicator answer: counts from the ledgers, lag = source partitions not yet settled + accepted
// partitions not yet applied, and what is said when the indicator does not answer.
import request from 'supertest';
import { TOPICS } from '@siliconalley/contract';
import { pipelineStatus } from '../../src/pipeline';
import { bearer, FakeIndicators, gateway, MemoryBroker, MemoryLedgers } from './fakes';

function setup() {
  const broker = new MemoryBroker('ns');
  const ledgers = new MemoryLedgers();
  const indicators = new FakeIndicators();
  const enterprise = broker.topic(TOPICS.enterprise);
  const certification = broker.topic(TOPICS.certification);
  const task = broker.topic(TOPICS.task);
  const accepted = broker.topic(TOPICS.accepted);
  return { broker, ledgers, indicators, enterprise, certification, task, accepted, status: () => pipelineStatus(broker, { ledgers }, indicators) };
}

describe('pipelineStatus', () => {
  it('adds up the ledgers per topic, and the lag of ingestion and of the indicator', async () => {
    const s = setup();
    s.ledgers.set(s.enterprise, 0, {
      settledTo: '90',
      accepted: 80,
      duplicates: 4,
      rejected: [{ reason: 'malformed', n: 6 }],
      newestEventTime: '2026-11-20T08:00:00Z',
    });
    s.ledgers.set(s.enterprise, 1, {
      settledTo: '50',
      accepted: 45,
      duplicates: 1,
      rejected: [
        { reason: 'malformed', n: 1 },
        { reason: 'invalid_uscc', n: 3 },
      ],
      newestEventTime: '2026-11-25T08:00:00Z',
    });
    s.ledgers.set(s.certification, 0, { settledTo: '10', accepted: 10 });
    s.broker.ends = {
      [s.enterprise]: { '0': '100', '1': '50' }, // 10 still to settle on partition 0
      [s.certification]: { '0': '10', '1': '7' }, // partition 1 not started: 7
      [s.task]: { '0': '0' },
      [s.accepted]: { '0': '100', '1': '35' },
    };
    s.indicators.answer = { ready: true, offsets: { '0': '95', '1': '35' } }; // 5 still to apply

    expect(await s.status()).toEqual({
      accepted: 135,
      duplicates: 5,
      rejected: { malformed: 7, invalid_uscc: 3 },
      lag: 10 + 7 + 5,
      topics: [
        { topic: s.enterprise, lag: 10, accepted: 125, duplicates: 5, rejected: 10, lastEventTime: '2026-11-25T08:00:00Z' },
        { topic: s.certification, lag: 7, accepted: 10, duplicates: 0, rejected: 0, lastEventTime: null },
        { topic: s.task, lag: 0, accepted: 0, duplicates: 0, rejected: 0, lastEventTime: null },
      ],
      indicator: { topic: s.accepted, lag: 5, ready: true },
    });
  });

  it('a partition the indicator has not applied at all counts whole; a replaying indicator is not ready', async () => {
    const s = setup();
    s.broker.ends = { [s.accepted]: { '0': '40', '1': '2' } };
    s.indicators.answer = { ready: false, offsets: { '0': '30' } };
    const status = await s.status();
    expect(status.indicator).toEqual({ topic: s.accepted, lag: 10 + 2, ready: false });
    expect(status.lag).toBe(12);
  });

  it('without an indicator answer the ingestion numbers still stand; the total lag is unknown, and said so', async () => {
    const s = setup();
    s.ledgers.set(s.task, 0, { settledTo: '3', accepted: 2, rejected: [{ reason: 'unauthorized_department', n: 1 }] });
    s.broker.ends = { [s.task]: { '0': '5' } };
    s.indicators.answer = new Error('connect ECONNREFUSED');
    const status = await s.status();
    expect(status).toMatchObject({
      accepted: 2,
      rejected: { unauthorized_department: 1 },
      lag: null,
      indicator: { topic: s.accepted, lag: null, ready: false, unavailable: true },
    });
    expect(status.topics.find((t) => t.topic === s.task)).toMatchObject({ lag: 2, accepted: 2, rejected: 1 });
  });

  it('reason and topic names from providers stay data: a reason named __proto__ is counted like any other', async () => {
    const s = setup();
    s.ledgers.set(s.enterprise, 0, { settledTo: '2', rejected: [{ reason: '__proto__', n: 2 }] });
    const status = await s.status();
    expect(Object.getOwnPropertyDescriptor(status.rejected, '__proto__')?.value).toBe(2);
    expect(({} as Record<string, unknown>).n).toBeUndefined();
  });

  it('fails when the ledgers or the broker cannot be read (the route answers 503)', async () => {
    const s = setup();
    s.ledgers.failing = new Error('database down');
    await expect(s.status()).rejects.toThrow('database down');
    const t = setup();
    t.broker.failEnds = new Error('broker down');
    await expect(t.status()).rejects.toThrow('broker down');
  });
});

describe('GET /api/v1/pipeline (createServer)', () => {
  it("answers providers, evaluators and operators with the ledgers' counts; 503 with Retry-After when the store fails", async () => {
    const g = gateway();
    g.ledgers.set(g.broker.topic(TOPICS.enterprise), 0, { settledTo: '3', accepted: 3 });
    for (const role of ['provider', 'evaluator', 'operator'] as const) {
      const res = await request(g.app)
        .get('/api/v1/pipeline')
        .set('Authorization', bearer((await g.tokens.issue(role)).token))
        .expect(200);
      // No indicator listens on the URL given: the ingestion numbers stand, the indicator is unavailable.
      expect(res.body).toMatchObject({ accepted: 3, indicator: { unavailable: true, lag: null } });
    }
    g.ledgers.failing = new Error('database down');
    const res = await request(g.app)
      .get('/api/v1/pipeline')
      .set('Authorization', bearer((await g.tokens.issue('evaluator')).token));
    expect([res.status, res.headers['retry-after']]).toEqual([503, '5']);
    expect(res.text).not.toContain('database down');
  });
});
