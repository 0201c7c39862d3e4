// Comparisons with a reason for every difference (the run reports them all, not just the first).

export const sameNumber = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/** Structural equality with numbers compared to 1e-9 relative; returns the paths that differ. */
export function differences(got: unknown, want: unknown, path = '', out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  if (typeof got === 'number' && typeof want === 'number') {
    if (!sameNumber(got, want)) out.push(`${path}: got ${got}, want ${want}`);
    return out;
  }
  if (got === null || want === null || typeof got !== 'object' || typeof want !== 'object') {
    if (got !== want) out.push(`${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    return out;
  }
  if (Array.isArray(got) !== Array.isArray(want)) {
    out.push(`${path}: array vs object`);
    return out;
  }
  const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
  for (const k of keys) {
    const g = (got as Record<string, unknown>)[k];
    const w = (want as Record<string, unknown>)[k];
    if (g === undefined && w === undefined) continue;
    differences(g, w, `${path}.${k}`, out, limit);
  }
  return out;
}

/** A KPI entry's labels as one key. */
export const entryKey = (e: { id: string; scope: string; kind?: string | null; industry?: string | null; within?: number | null }): string =>
  JSON.stringify([e.id, e.scope, e.kind ?? null, e.industry ?? null, e.within ?? null]);
