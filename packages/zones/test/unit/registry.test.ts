import { defaultZoneRegistry, loadZoneRegistry, ZoneRegistryError } from '../../src';
import bundled from '../../src/zones.json';

const square = (minLon: number, minLat: number, maxLon: number, maxLat: number): number[][] => [
  [minLon, minLat],
  [maxLon, minLat],
  [maxLon, maxLat],
  [minLon, maxLat],
  [minLon, minLat],
];
const zoneFeature = (id: string, geometry: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties: { kind: 'zone', id, ...extra },
  geometry,
});
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

function problemsOf(input: unknown): string[] {
  try {
    loadZoneRegistry(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ZoneRegistryError);
    return [...(error as ZoneRegistryError).problems];
  }
  throw new Error('expected loadZoneRegistry to throw');
}

describe('default registry (shared/spec/zones.geojson)', () => {
  const registry = defaultZoneRegistry();

  it('has the nine zones in file order and the seven buildings', () => {
    expect(registry.zoneIds).toEqual(['QL', 'QL_START', 'QL_EXT', 'AXIS', 'BELT_N2R', 'BELT_E2R', 'POLE_JYHM', 'POLE_HXY', 'POLE_GHQL']);
    expect(registry.buildings.map((b) => b.id)).toEqual(['B_DCDT', 'B_GEHUA', 'B_YONGHE', 'B_JYHM_E', 'B_HXY', 'B_JTKG', 'B_COFCO']);
    expect(registry.zone('QL')?.nameZh).toBe('青龙硅巷(起步区及拓展区)');
    expect(registry.name).toBe('siliconalley-zones-approx-v1');
  });

  it('gives building points and null for an unknown building', () => {
    expect(registry.buildingPoint('B_GEHUA')).toEqual({ lon: 116.4236, lat: 39.9473 });
    expect(registry.buildingPoint('B_UNKNOWN_80')).toBeNull();
  });

  it('excludes the hole of QL_EXT: a point in QL_START is in QL and QL_START only', () => {
    const zones = registry.zonesAt({ lon: 116.421, lat: 39.947 });
    expect(zones).toEqual(expect.arrayContaining(['QL', 'QL_START']));
    expect(zones).not.toContain('QL_EXT');
  });

  it('puts a point of the expansion ring in QL and QL_EXT', () => {
    const zones = registry.zonesAt({ lon: 116.4178, lat: 39.943 });
    expect(zones).toEqual(expect.arrayContaining(['QL', 'QL_EXT']));
    expect(zones).not.toContain('QL_START');
  });

  it('returns no zone far outside', () => {
    expect(registry.zonesAt({ lon: 116.3, lat: 39.8 })).toEqual([]);
  });

  describe('boundary rule: zones are closed sets', () => {
    it('counts a point on an outer edge or vertex as inside', () => {
      expect(registry.zonesAt({ lon: 116.4172, lat: 39.946 })).toContain('QL'); // west edge
      expect(registry.zonesAt({ lon: 116.4255, lat: 39.9488 })).toContain('QL'); // NE vertex
      expect(registry.zonesAt({ lon: 116.41719, lat: 39.946 })).not.toContain('QL'); // just west
    });

    it('counts a point on the edge of a hole as inside the holed zone too', () => {
      // The shared edge of QL_START and its hole in QL_EXT belongs to both.
      const onSharedEdge = registry.zonesAt({ lon: 116.4185, lat: 39.947 });
      expect(onSharedEdge).toEqual(expect.arrayContaining(['QL', 'QL_START', 'QL_EXT']));
      const justInsideHole = registry.zonesAt({ lon: 116.41851, lat: 39.947 });
      expect(justInsideHole).not.toContain('QL_EXT');
    });
  });
});

describe('loadZoneRegistry', () => {
  it('loads the bundled file and also a copy passed as data', () => {
    expect(loadZoneRegistry(bundled).zoneIds).toHaveLength(9);
  });

  it('supports MultiPolygon zones with holes', () => {
    const registry = loadZoneRegistry(
      collection(
        zoneFeature('M', {
          type: 'MultiPolygon',
          coordinates: [[square(0, 0, 10, 10), square(4, 4, 6, 6).reverse()], [square(20, 20, 30, 30)]],
        }),
      ),
    );
    expect(registry.zonesAt({ lon: 1, lat: 1 })).toEqual(['M']);
    expect(registry.zonesAt({ lon: 5, lat: 5 })).toEqual([]);
    expect(registry.zonesAt({ lon: 25, lat: 25 })).toEqual(['M']);
    expect(registry.zonesAt({ lon: 15, lat: 15 })).toEqual([]);
  });

  it('infers kind from the geometry and takes the feature id when properties have none', () => {
    const registry = loadZoneRegistry(
      collection(
        { type: 'Feature', id: 'Z1', properties: null, geometry: { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] } },
        { type: 'Feature', id: 7, properties: { name_zh: '楼' }, geometry: { type: 'Point', coordinates: [0.5, 0.5] } },
      ),
    );
    expect(registry.zoneIds).toEqual(['Z1']);
    expect(registry.buildingPoint('7')).toEqual({ lon: 0.5, lat: 0.5 });
  });

  it('rejects input that is not a FeatureCollection', () => {
    expect(problemsOf(null)[0]).toMatch(/^zones GeoJSON/);
    expect(problemsOf({ type: 'Feature' }).join('\n')).toMatch(/FeatureCollection/);
    expect(problemsOf({ type: 'FeatureCollection', features: {} }).join('\n')).toMatch(/features must be an array/);
  });

  it('reports every defect with its place, not only the first', () => {
    const problems = problemsOf(
      collection(
        zoneFeature('OPEN', {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        }),
        zoneFeature('SHORT', {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        }),
        zoneFeature('FAR', { type: 'Polygon', coordinates: [square(0, 0, 200, 1)] }),
        zoneFeature('POINTY', { type: 'Point', coordinates: [0, 0] }),
        { type: 'Feature', properties: { kind: 'building', id: 'B' }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] } },
        zoneFeature('bad id', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }),
        zoneFeature('DUP', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }),
        zoneFeature('DUP', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }),
        {
          type: 'Feature',
          properties: { kind: 'river' },
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [1, 1],
            ],
          },
        },
        { type: 'Feature', properties: { kind: 'zone' }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] } },
        { type: 'Feature', properties: { kind: 'lake', id: 'L' }, geometry: { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] } },
        zoneFeature('NAN', {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              ['x', 1],
              [0, 0],
            ],
          ],
        }),
      ),
    );
    const text = problems.join('\n');
    expect(text).toMatch(/features\[0\]\.geometry\.coordinates\[0\]: a linear ring must be closed/);
    expect(text).toMatch(/features\[1\]\.geometry\.coordinates\[0\]: a linear ring needs at least 4 positions/);
    expect(text).toMatch(/features\[2\]\.geometry\.coordinates\[0\]\[1\]: a position must be WGS84 degrees/);
    expect(text).toMatch(/features\[3\] \(POINTY\): a zone needs a Polygon or MultiPolygon geometry/);
    expect(text).toMatch(/features\[4\] \(B\): a building needs a Point geometry/);
    expect(text).toMatch(/features\[5\] \(bad id\): zone id must match/);
    expect(text).toMatch(/features\[7\] \(DUP\): duplicate zone id "DUP" \(also features\[6\]\)/);
    expect(text).toMatch(/features\[8\]\.geometry\.type: geometry must be a Polygon or MultiPolygon \(zone\) or a Point \(building\)/);
    expect(text).toMatch(/features\[9\]: needs an id/);
    expect(text).toMatch(/features\[10\] \(L\): properties\.kind must be "zone" or "building", got "lake"/);
    expect(text).toMatch(/features\[11\]\.geometry\.coordinates\[0\]\[2\]\[0\]: coordinates must be finite numbers/);
    expect(problems).toHaveLength(12); // features[2] has two bad positions
  });

  it('requires at least one zone', () => {
    const problems = problemsOf(collection({ type: 'Feature', properties: { id: 'B' }, geometry: { type: 'Point', coordinates: [1, 1] } }));
    expect(problems).toEqual(['zones GeoJSON: has no zone features']);
  });

  it('includes all problems in the error message', () => {
    expect(() => loadZoneRegistry(collection())).toThrow(/invalid zones GeoJSON:\n {2}- zones GeoJSON: has no zone features/);
  });
});
