// Deterministic synthetic firm histories for property tests and benchmarks: registrations with
// corrections, effective-dated moves (some before establishment), deregistrations, certificates
// with corrections and revocations (some before the grant), every CRS, known/unknown buildings.
import { dayNumber, isoDate, USCC_ALPHABET, usccCheckCharacter, type FirmEvent, type IsoDate } from '@siliconalley/contract';

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A USCC with a valid check character (the contract's) for firm number `n` (registered in Dongcheng, 110101). */
export function syntheticUscc(n: number): string {
  let serial = '';
  for (let v = n, i = 0; i < 8; i++, v = Math.floor(v / 31)) serial = USCC_ALPHABET[v % 31]! + serial;
  const first17 = `91110101${serial}0`;
  return first17 + usccCheckCharacter(first17)!;
}

// Day numbers are the contract's (days.ts). Formatting dates dominates generating a million firms: memoise per day.
const day = dayNumber;
const isoCache = new Map<number, IsoDate>();
const iso = (d: number): IsoDate => {
  let text = isoCache.get(d);
  if (text === undefined) isoCache.set(d, (text = isoDate(d)));
  return text;
};
const DAYS = { from1995: day('1995-01-01'), to2026: day('2026-06-30'), y2012: day('2012-01-01'), end2026: day('2026-12-31'), mid2027: day('2027-06-30') };

const INDUSTRIES = [
  'AI',
  'SMART_HEALTH',
  'DIGITAL_ENTERTAINMENT',
  'DIGITAL_ENERGY',
  'SMART_CITY',
  'TECH_SERVICES',
  'METAVERSE',
  'CARBON_NEUTRAL',
  null,
] as const;
const KINDS = [
  'HNTE',
  'HNTE',
  'HNTE',
  'SRDI_SME',
  'SRDI_SME',
  'SRDI_GIANT',
  'INNOVATIVE_SME',
  'SME_SERVICE_PLATFORM',
  'SMALL_MICRO_DEMO_BASE',
  'SA_PARK',
  'SA_STATION',
] as const;
const LEVELS = ['national', 'municipal', 'district', null] as const;
const CRS = ['WGS84', 'GCJ02', 'BD09'] as const;
const BUILDINGS = ['B_DCDT', 'B_GEHUA', 'B_YONGHE', 'B_JYHM_E', 'B_HXY', 'B_JTKG', 'B_COFCO', 'B_UNKNOWN_1'] as const;

/**
 * All accepted events of synthetic firm `n` (deterministic in `n` and `seed`), in a shuffled arrival order.
 * Dates span 1995..2027; locations fall around the Silicon Alley zones.
 */
export function syntheticFirmEvents(n: number, seed = 1): FirmEvent[] {
  const rnd = seededRandom(seed * 1_000_003 + n);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  const between = (from: number, to: number): number => from + Math.floor(rnd() * (to - from + 1));
  const uscc = syntheticUscc(n);
  let serial = 0;
  const envelope = (effectiveDay: number) => ({
    source: 'urn:synthetic',
    id: `syn-${n}-${serial++}`,
    time: `${iso(effectiveDay + Math.floor(rnd() * 400))}T${String(Math.floor(rnd() * 24)).padStart(2, '0')}:00:00Z`,
    subject: uscc,
    effectiveDate: iso(effectiveDay),
  });
  const site = () => {
    const roll = rnd();
    const location = roll < 0.6 ? { lon: 116.405 + rnd() * 0.04, lat: 39.925 + rnd() * 0.05, crs: pick(CRS) } : null;
    const buildingId = roll >= 0.5 && roll < 0.9 ? pick(BUILDINGS) : null;
    return { address: `北京市东城区合成街${n}号`, location, buildingId };
  };
  const district = () => (chance(0.85) ? '110101' : '110105');

  const events: FirmEvent[] = [];
  const established = between(DAYS.from1995, DAYS.to2026);
  for (let r = chance(0.1) ? 2 : 1; r > 0; r--) {
    const on = r === 1 ? established : between(established - 400, established + 400);
    events.push({
      ...envelope(on),
      type: 'enterprise.registered',
      data: {
        uscc,
        name: `合成科技${n}`,
        establishedOn: iso(on),
        districtCode: district(),
        site: site(),
        industryCode: 'I6513',
        focusIndustry: pick(INDUSTRIES),
      },
    });
  }
  for (let u = between(0, 3); u > 0; u--) {
    const on = between(established - 300, DAYS.mid2027);
    const changes = chance(0.5) ? { districtCode: district(), site: site() } : chance(0.5) ? { site: site() } : { focusIndustry: pick(INDUSTRIES) };
    events.push({ ...envelope(on), type: 'enterprise.updated', data: { uscc, effectiveOn: iso(on), changes } });
  }
  if (chance(0.1)) {
    const on = between(established - 100, DAYS.mid2027);
    events.push({ ...envelope(on), type: 'enterprise.deregistered', data: { uscc, effectiveOn: iso(on), reason: 'cancelled' } });
  }
  for (let c = between(0, 3); c > 0; c--) {
    const kind = pick(KINDS);
    const certificateNo = `SYN${n}-${c}`;
    for (let g = chance(0.15) ? 2 : 1; g > 0; g--) {
      const validFrom = between(DAYS.y2012, DAYS.end2026);
      const validUntil = chance(0.7) ? null : iso(validFrom + between(0, 1500));
      events.push({
        ...envelope(validFrom),
        type: 'certification.granted',
        data: { uscc, kind, level: pick(LEVELS), certificateNo, validFrom: iso(validFrom), validUntil, issuer: null, batch: null },
      });
    }
    if (chance(0.15)) {
      const on = between(DAYS.y2012, DAYS.mid2027);
      events.push({ ...envelope(on), type: 'certification.revoked', data: { uscc, kind, certificateNo, effectiveOn: iso(on), reason: null } });
    }
  }
  // Arrival order is anything: shuffle.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  return events;
}
