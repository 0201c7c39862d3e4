// Writing a file another container reads (the rendered Alertmanager configuration, a Grafana token):
// atomically (a reader never sees half a file), mode 0600 unless told otherwise, and, when the writer
// runs as root for a volume it must create files in, handed to the reader's uid:gid.
import { chmodSync, chownSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface FileOwner {
  uid: number;
  gid: number;
}

/** `UID:GID` (numbers), as `--owner` takes it. */
export function parseOwner(text: string): FileOwner {
  const m = /^(\d+):(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--owner must be UID:GID (numbers), got ${JSON.stringify(text)}`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** `0600`-style octal, as `--mode` takes it. */
export function parseMode(text: string): number {
  if (!/^0?[0-7]{3}$/.test(text.trim())) throw new Error(`--mode must be octal like 0600, got ${JSON.stringify(text)}`);
  return Number.parseInt(text.trim(), 8);
}

export function writeFileAtomic(file: string, content: string, opts: { mode?: number; owner?: FileOwner } = {}): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const mode = opts.mode ?? 0o600;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode); // the umask does not narrow it further than asked, nor widen it
  if (opts.owner) chownSync(tmp, opts.owner.uid, opts.owner.gid);
  renameSync(tmp, file);
}
