#!/usr/bin/env node
// `npm run token -- --role evaluator|operator|provider --types enterprise.registered,...`
// Prints a new token on stdout and nothing else (messages go to stderr). Only its hash is stored.
import { parseArgs } from 'node:util';
import { SHORT_TYPES } from '@siliconalley/contract';
import { connectDatabase } from '@siliconalley/db';
import { ROLES, createStore, type Role } from '@siliconalley/store';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      types: { type: 'string' },
      source: { type: 'string' },
      label: { type: 'string' },
      revoke: { type: 'string' },
      list: { type: 'boolean' },
    },
  });
  const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/siliconalley';
  const conn = await connectDatabase({ url, namespace: process.env.SA_NAMESPACE ?? '' });
  const store = createStore(conn);
  await store.ensureIndexes();
  try {
    if (values.list) {
      for (const t of await store.tokens.list())
        process.stderr.write(`${t.prefix}…  ${t.role}  ${t.types.join(',')}  ${t.revokedAt ? 'revoked' : 'active'}  ${t.label ?? ''}\n`);
      return;
    }
    if (values.revoke) {
      const n = await store.tokens.revokeByPrefix(values.revoke);
      process.stderr.write(`revoked ${n} token(s) starting with ${values.revoke}\n`);
      return;
    }
    const role = values.role as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    let types: string[] = [];
    if (role === 'provider') {
      if (!values.types) throw new Error(`a provider token needs --types, a comma-separated list of: ${SHORT_TYPES.join(', ')}`);
      types = values.types
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = types.filter((t) => !(SHORT_TYPES as readonly string[]).includes(t));
      if (unknown.length) throw new Error(`unknown type(s) ${unknown.join(', ')}; known: ${SHORT_TYPES.join(', ')}`);
    }
    const { token } = await store.tokens.issue(role, { types, source: values.source ?? null, label: values.label ?? null });
    process.stdout.write(`${token}\n`);
    process.stderr.write(`created a ${role} token (shown once; only its hash is stored)\n`);
  } finally {
    await conn.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`token: ${err.message}\n`);
  process.exit(1);
});
