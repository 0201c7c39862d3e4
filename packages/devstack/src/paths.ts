import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'turbo.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot(__dirname);
export const localDir = join(repoRoot, '.local');
export const toolsDir = join(localDir, 'tools');

/** shared/ lies beside the checkout (read-only specs and fixtures). */
export const sharedDir = (): string => process.env.SHARED_DIR ?? resolve(repoRoot, '..', 'shared');

export function componentVersions(): { kafka: string; ferretdb: string } {
  const text = readFileSync(join(repoRoot, 'infra/local/versions.env'), 'utf8');
  const get = (k: string) => {
    const m = new RegExp(`^${k}=(.+)$`, 'm').exec(text);
    if (!m?.[1]) throw new Error(`infra/local/versions.env lacks ${k}`);
    return m[1].trim();
  };
  return { kafka: get('KAFKA_VERSION'), ferretdb: get('FERRETDB_VERSION') };
}

export const kafkaLibsDir = () => join(toolsDir, `kafka-${componentVersions().kafka}`, 'libs');
export const ferretdbBinary = () => join(toolsDir, 'bin', `ferretdb-${componentVersions().ferretdb}`);
