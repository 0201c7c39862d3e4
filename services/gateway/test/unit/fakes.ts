// In-memory stand-ins for what the gateway reads and writes outside the process (the token store,
// the ingest ledgers, the broker, the dead-letter topic), and a gateway app built on them with
// createServer, for unit tests. The real stack is the integration tests' (test/integration).
import type { Express } from 'express';
import type { IndicatorClient } from '@siliconalley/api';
import { TYPE_PREFIX } from '@siliconalley/contract';
import { Counter, Registry } from '@siliconalley/http';
import type { DeadLetter, DeadLetterProducer, KafkaClient, OutboundRecord } from '@siliconalley/kafka';
import { createLogger } from '@siliconalley/logger';
import { emptyLedger, hashToken, totalsOf, type LedgerState, type Role, type Store, type StoredToken, type TokenRepository } from '@siliconalley/store';
import { syntheticUscc } from '@siliconalley/testkit';
import { createServer, type GatewayDeps } from '../../src/server';

export const logger = createLogger('gateway-unit', 'silent');
export const bearer = (token: string) => `Bearer ${token}`;

/** The token store: tokens by hash, as TokenRepository keeps them; counts lookups; can be made to fail. */
export class MemoryTokens implements Pick<TokenRepository, 'issue' | 'findActive' | 'revokeByPrefix'> {
  private readonly byHash = new Map<string, StoredToken>();
  private serial = 0;
  lookups = 0;
  failing: Error | null = null;

  async issue(role: Role, opts: { types?: string[]; source?: string | null; label?: string | null } = {}): Promise<{ token: string; record: StoredToken }> {
    this.serial += 1;
    const token = `sa_${String(this.serial).padStart(4, '0')}${'x'.repeat(39)}`;
    const record: StoredToken = {
      hash: hashToken(token),
      prefix: token.slice(0, 8),
      role,
      types: opts.types ?? [],
      source: opts.source ?? null,
      label: opts.label ?? null,
      createdAt: new Date('2026-01-01T00:00:00Z'),
      revokedAt: null,
    };
    this.byHash.set(record.hash, record);
    return { token, record: { ...record } };
  }

  async findActive(token: string): Promise<StoredToken | null> {
    this.lookups += 1;
    if (this.failing) throw this.failing;
    const found = this.byHash.get(hashToken(String(token)));
    return found && found.revokedAt === null ? { ...found } : null;
  }

  async revokeByPrefix(prefix: string): Promise<number> {
    let n = 0;
    for (const t of this.byHash.values()) {
      if (t.prefix === prefix && t.revokedAt === null) {
        t.revokedAt = new Date('2026-01-02T00:00:00Z');
        n += 1;
      }
    }
    return n;
  }
}

/**
 * authenticate() and GatewayDeps name the TokenRepository class (which also carries its mongoose
 * model); the gateway calls findActive only. The one cast of these tests, here.
 */
export const asTokenRepository = (tokens: MemoryTokens): TokenRepository => tokens as unknown as TokenRepository;

/** The broker as the gateway uses it: namespaced topic names, produced records, partition ends. */
export class MemoryBroker {
  readonly produced = new Map<string, OutboundRecord[]>();
  sends = 0;
  ends: Record<string, Record<string, string>> = {};
  failEnds: Error | null = null;
  constructor(readonly namespace = 'unit') {}
  topic(base: string): string {
    return `${this.namespace}.${base}`;
  }
  async send(topic: string, records: OutboundRecord[]): Promise<void> {
    this.sends += 1;
    this.produced.set(topic, [...(this.produced.get(topic) ?? []), ...records]);
  }
  async partitionEnds(topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
    if (this.failEnds) throw this.failEnds;
    return Object.fromEntries(topics.map((t) => [t, { ...(this.ends[t] ?? {}) }]));
  }
  /** Event ids produced to `base`, in order. */
  ids(base: string): string[] {
    return (this.produced.get(this.topic(base)) ?? []).map((r) => {
      const headers = r.headers ?? {};
      return headers.ce_id !== undefined ? String(headers.ce_id) : (JSON.parse(String(r.value)) as { id: string }).id;
    });
  }
}

export class MemoryDeadLetters {
  readonly letters: DeadLetter[] = [];
  async send(letters: DeadLetter[]): Promise<void> {
    this.letters.push(...letters);
  }
}

/** The ingest ledgers: `totals()` over in-memory ledger states, as LedgerRepository computes them. */
export class MemoryLedgers {
  readonly states: LedgerState[] = [];
  failing: Error | null = null;
  set(topic: string, partition: number, counts: Partial<LedgerState>): void {
    this.states.push({ ...emptyLedger(topic, partition), ...counts });
  }
  async totals() {
    if (this.failing) throw this.failing;
    return totalsOf(this.states);
  }
}

/** The indicators' answer of how far they applied the accepted topic. */
export class FakeIndicators implements Pick<IndicatorClient, 'applied'> {
  answer: { ready: boolean; offsets: Record<string, string> } | Error = { ready: true, offsets: {} };
  async applied() {
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

export interface Gateway {
  app: Express;
  tokens: MemoryTokens;
  broker: MemoryBroker;
  deadLetters: MemoryDeadLetters;
  ledgers: MemoryLedgers;
  registry: Registry;
}

/** A gateway app (createServer) on the in-memory stand-ins; upstream URLs point nowhere. */
export function gateway(overrides: Partial<GatewayDeps> = {}): Gateway {
  const tokens = new MemoryTokens();
  const broker = new MemoryBroker();
  const deadLetters = new MemoryDeadLetters();
  const ledgers = new MemoryLedgers();
  const registry = new Registry();
  const rejected = new Counter({ name: 'siliconalley_events_rejected_total', help: 'rejected', labelNames: ['reason'] as const, registers: [registry] });
  const app = createServer({
    logger,
    registry,
    // GatewayDeps names the full Store, KafkaClient and DeadLetterProducer; these are what it uses of them.
    store: { tokens: asTokenRepository(tokens), ledgers } as unknown as Store,
    kafka: broker as unknown as KafkaClient,
    deadLetters: deadLetters as unknown as DeadLetterProducer,
    rejected,
    indicatorUrls: ['http://127.0.0.1:9'],
    alertingUrl: 'http://127.0.0.1:9',
    maxBodyBytes: 5 * 1024 * 1024,
    rateLimitPerMinute: 100_000,
    authFailuresPerMinute: 100_000,
    corsOrigins: [],
    internalSecret: 'unit-test-internal-secret',
    ...overrides,
  });
  return { app, tokens, broker, deadLetters, ledgers, registry };
}

export const fullType = (short: string) => `${TYPE_PREFIX}${short}.v1`;

/** A valid structured enterprise.registered event of synthetic firm n. */
export function registered(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const uscc = syntheticUscc(n);
  return {
    specversion: '1.0',
    id: `gw-unit-reg-${n}`,
    source: 'urn:dongcheng:samr',
    type: fullType('enterprise.registered'),
    time: '2021-05-10T09:00:00+08:00',
    subject: uscc,
    datacontenttype: 'application/json',
    data: {
      uscc,
      name: `北京合成科技${n}有限公司`,
      establishedOn: '2021-05-10',
      districtCode: '110101',
      site: { address: '北京市东城区青龙胡同1号', location: { lon: 116.4236, lat: 39.9473, crs: 'WGS84' }, buildingId: 'B_GEHUA' },
      industryCode: 'I6513',
      focusIndustry: 'AI',
    },
    ...overrides,
  };
}
