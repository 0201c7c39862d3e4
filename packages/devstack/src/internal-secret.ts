// The secret the services of a local stack share for the internal APIs (INTERNAL_API_SECRET): one
// per stack folder, made at the first start, readable by its owner only, and given to the services
// as INTERNAL_API_SECRET_FILE (packages/config reads it), so it appears in no environment listing.
// `--fresh` wipes the folder, and with it the secret: the next start makes another.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackLayout } from './layout';

export const internalSecretFile = (layout: StackLayout) => join(layout.dir, 'internal-api-secret');

/** Makes the stack's secret file unless it exists (mode 0600 either way); returns its path. */
export function ensureInternalSecret(layout: StackLayout): string {
  const file = internalSecretFile(layout);
  mkdirSync(layout.dir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A file copied in or restored with looser permissions is tightened again.
  chmodSync(file, 0o600);
  return file;
}

/** The stack's secret (for a tool that calls an internal API directly, as the gateway does). */
export const readInternalSecret = (layout: StackLayout): string => readFileSync(ensureInternalSecret(layout), 'utf8').trim();
