// T6 share-change decomposition: why did the zone share s = q_z / q_d move between two dates a and b?
// Exact split of Δs = s(b) − s(a) into
//   numerator effect   (q_z(b) − q_z(a)) / q_d(b)          — qualified firms gained/lost in the zone,
//   denominator effect q_z(a) · (1 / q_d(b) − 1 / q_d(a))   — the district total moving,
// which add up to Δs by construction (q_z(b)/q_d(b) − q_z(a)/q_d(b) + q_z(a)/q_d(b) − q_z(a)/q_d(a)).
// Pure: the counts (and, optionally, the firm lists behind them) come from the caller.

/** Qualified firms in the zone (q_z) and in the district (q_d) on one day. */
export interface ShareCounts {
  zone: number;
  district: number;
}

/** Firms that entered / left a set between two days (by USCC). */
export interface FirmChanges {
  gained: number;
  lost: number;
}

export interface ShareDecomposition {
  from: string;
  to: string;
  zone: { from: number; to: number };
  district: { from: number; to: number };
  /** q_z / q_d; null when the district has no qualified firm that day. */
  share: { from: number | null; to: number | null };
  /** s(b) − s(a); null when either share is. */
  delta: number | null;
  /** (q_z(b) − q_z(a)) / q_d(b): the part due to qualified firms gained or lost in the zone. */
  numeratorEffect: number | null;
  /** q_z(a) · (1/q_d(b) − 1/q_d(a)): the part due to the district total. */
  denominatorEffect: number | null;
  /** Firm turnover behind the counts, when the firm lists are known. */
  zoneFirms?: FirmChanges;
  districtFirms?: FirmChanges;
}

const shareOf = (c: ShareCounts): number | null => (c.district === 0 ? null : c.zone / c.district);

/** Decomposes the share change between `from` (a) and `to` (b). Exact: the two effects sum to Δs. */
export function decomposeShareChange(from: string, to: string, a: ShareCounts, b: ShareCounts): ShareDecomposition {
  const [sa, sb] = [shareOf(a), shareOf(b)];
  const defined = sa !== null && sb !== null;
  return {
    from,
    to,
    zone: { from: a.zone, to: b.zone },
    district: { from: a.district, to: b.district },
    share: { from: sa, to: sb },
    delta: defined ? sb - sa : null,
    numeratorEffect: defined ? (b.zone - a.zone) / b.district : null,
    denominatorEffect: defined ? a.zone * (1 / b.district - 1 / a.district) : null,
  };
}

/** Members of `after` not in `before` (gained) and of `before` not in `after` (lost). */
export function firmChanges(before: Iterable<string>, after: Iterable<string>): FirmChanges {
  const [was, is] = [new Set(before), new Set(after)];
  let gained = 0;
  let lost = 0;
  for (const f of is) if (!was.has(f)) gained++;
  for (const f of was) if (!is.has(f)) lost++;
  return { gained, lost };
}
