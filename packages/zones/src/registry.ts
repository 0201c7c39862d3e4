// The zone and building registry: zone polygons (Polygon/MultiPolygon, holes allowed) and building
// points, loaded from a GeoJSON FeatureCollection in WGS84. The bundled file is approximate, so an
// operator may load official GeoJSON instead: input is validated and every problem is reported.
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { z } from 'zod';
import type { WgsPoint } from './crs';

export type ZonePolygon = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface Zone {
  id: string;
  /** `properties.name_zh` / `name_en` when present. */
  nameZh: string | null;
  nameEn: string | null;
  geometry: ZonePolygon;
  properties: Readonly<Record<string, unknown>>;
}

export interface Building {
  id: string;
  nameZh: string | null;
  point: Readonly<WgsPoint>;
}

/** Thrown by `loadZoneRegistry`; `problems` lists every defect found, each with its place in the input. */
export class ZoneRegistryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid zones GeoJSON:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ZoneRegistryError';
  }
}

/** Zone ids become scopes `zone:<ID>` and parts of KPI series keys, so they stay plain. */
const ZONE_ID = /^[A-Za-z0-9_-]+$/;

const position = z
  .array(z.number({ error: 'coordinates must be finite numbers' }))
  .min(2, { error: 'a position is [lon, lat]' })
  .max(3, { error: 'a position is [lon, lat] or [lon, lat, altitude]' })
  .refine((p) => Math.abs(p[0]!) <= 180 && Math.abs(p[1]!) <= 90, {
    error: 'a position must be WGS84 degrees, [lon, lat] with lon in -180..180 and lat in -90..90',
  });
const ring = z
  .array(position)
  .min(4, { error: 'a linear ring needs at least 4 positions' })
  .refine((r) => r[0]![0] === r[r.length - 1]![0] && r[0]![1] === r[r.length - 1]![1], {
    error: 'a linear ring must be closed (last position = first position)',
  });
const polygonRings = z.array(ring).min(1, { error: 'a polygon needs an outer ring' });
const geometry = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('Polygon'), coordinates: polygonRings }),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygonRings).min(1) }),
    z.object({ type: z.literal('Point'), coordinates: position }),
  ],
  { error: 'geometry must be a Polygon or MultiPolygon (zone) or a Point (building)' },
);
const feature = z.object({
  type: z.literal('Feature', { error: 'type must be "Feature"' }),
  id: z.union([z.string(), z.number()]).optional(),
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
  geometry,
});
const collection = z.object({
  type: z.literal('FeatureCollection', { error: 'type must be "FeatureCollection"' }),
  name: z.string().optional(),
  features: z.array(z.unknown(), { error: 'features must be an array' }),
});

function describeIssues(where: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
    return `${where}${path}: ${issue.message}`;
  });
}

const stringProp = (props: Record<string, unknown>, key: string): string | null => (typeof props[key] === 'string' ? (props[key] as string) : null);

interface IndexedZone extends Zone {
  bbox: [minLon: number, minLat: number, maxLon: number, maxLat: number];
}

function bboxOf(geometry: ZonePolygon): IndexedZone['bbox'] {
  const box: IndexedZone['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  // Holes lie inside their outer ring, so outer rings bound the zone.
  for (const [lon, lat] of polygons.flatMap((rings) => rings[0] ?? [])) {
    box[0] = Math.min(box[0], lon!);
    box[1] = Math.min(box[1], lat!);
    box[2] = Math.max(box[2], lon!);
    box[3] = Math.max(box[3], lat!);
  }
  return box;
}

/**
 * Zones and buildings of one GeoJSON source.
 *
 * Boundary rule: a zone is a closed set. A point exactly on a zone's outer edge is inside it, and a
 * point exactly on the edge of a hole is inside too (the hole's edge belongs to the zone). So a
 * point on the shared edge of QL_START and QL_EXT (QL minus QL_START) is in both; points strictly
 * inside the hole are not in QL_EXT. (turf `booleanPointInPolygon` with `ignoreBoundary: false`.)
 */
export class ZoneRegistry {
  /** Zone ids in file order: the order of zone scopes in KPI listings. */
  readonly zoneIds: readonly string[];
  private readonly zonesById: ReadonlyMap<string, IndexedZone>;
  private readonly buildingsById: ReadonlyMap<string, Building>;

  constructor(
    readonly name: string | null,
    zones: readonly Zone[],
    buildings: readonly Building[],
  ) {
    this.zonesById = new Map(zones.map((zone) => [zone.id, { ...zone, bbox: bboxOf(zone.geometry) }]));
    this.buildingsById = new Map(buildings.map((b) => [b.id, b]));
    this.zoneIds = zones.map((zone) => zone.id);
  }

  get zones(): Zone[] {
    return [...this.zonesById.values()];
  }

  get buildings(): Building[] {
    return [...this.buildingsById.values()];
  }

  zone(id: string): Zone | undefined {
    return this.zonesById.get(id);
  }

  /** WGS84 point of a known building; null for an unknown id (the contract accepts those). */
  buildingPoint(id: string): Readonly<WgsPoint> | null {
    return this.buildingsById.get(id)?.point ?? null;
  }

  /** Ids of the zones containing a WGS84 point (boundary included, see class doc), in registry order. */
  zonesAt(point: WgsPoint): string[] {
    const { lon, lat } = point;
    const found: string[] = [];
    for (const zone of this.zonesById.values()) {
      const [minLon, minLat, maxLon, maxLat] = zone.bbox;
      if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) continue;
      if (booleanPointInPolygon([lon, lat], zone.geometry)) found.push(zone.id);
    }
    return found;
  }
}

/**
 * Validates a GeoJSON FeatureCollection and builds the registry. A feature is a zone or a building by
 * `properties.kind` (`zone` | `building`), or by its geometry when `kind` is absent; its id is
 * `properties.id`, else the feature `id`. Throws `ZoneRegistryError` listing every problem.
 */
export function loadZoneRegistry(geojson: unknown): ZoneRegistry {
  const top = collection.safeParse(geojson);
  if (!top.success) throw new ZoneRegistryError(describeIssues('zones GeoJSON', top.error));

  const problems: string[] = [];
  const zones: Zone[] = [];
  const buildings: Building[] = [];
  const seen = new Map<string, string>();

  top.data.features.forEach((raw, index) => {
    const parsed = feature.safeParse(raw);
    if (!parsed.success) {
      problems.push(...describeIssues(`features[${index}]`, parsed.error));
      return;
    }
    const { geometry: geom, properties } = parsed.data;
    const props = properties ?? {};
    const rawId = props['id'] ?? parsed.data.id;
    const id = typeof rawId === 'number' ? String(rawId) : rawId;
    const where = `features[${index}]${typeof id === 'string' ? ` (${id})` : ''}`;
    const kind = props['kind'] ?? (geom.type === 'Point' ? 'building' : 'zone');

    if (typeof id !== 'string' || id === '') {
      problems.push(`${where}: needs an id (properties.id or the feature id)`);
      return;
    }
    if (kind !== 'zone' && kind !== 'building') {
      problems.push(`${where}: properties.kind must be "zone" or "building", got ${JSON.stringify(kind)}`);
      return;
    }
    const previous = seen.get(`${kind}:${id}`);
    if (previous !== undefined) {
      problems.push(`${where}: duplicate ${kind} id ${JSON.stringify(id)} (also ${previous})`);
      return;
    }
    seen.set(`${kind}:${id}`, `features[${index}]`);

    if (kind === 'zone') {
      if (geom.type === 'Point') {
        problems.push(`${where}: a zone needs a Polygon or MultiPolygon geometry, got Point`);
      } else if (!ZONE_ID.test(id)) {
        problems.push(`${where}: zone id must match ${ZONE_ID} (it becomes the scope "zone:<id>")`);
      } else {
        zones.push({ id, nameZh: stringProp(props, 'name_zh'), nameEn: stringProp(props, 'name_en'), geometry: geom, properties: props });
      }
    } else if (geom.type !== 'Point') {
      problems.push(`${where}: a building needs a Point geometry, got ${geom.type}`);
    } else {
      buildings.push({ id, nameZh: stringProp(props, 'name_zh'), point: Object.freeze({ lon: geom.coordinates[0]!, lat: geom.coordinates[1]! }) });
    }
  });

  if (problems.length === 0 && zones.length === 0) problems.push('zones GeoJSON: has no zone features');
  if (problems.length > 0) throw new ZoneRegistryError(problems);
  return new ZoneRegistry(top.data.name ?? null, zones, buildings);
}
