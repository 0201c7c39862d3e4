import gcoord from 'gcoord';
import { toWgs84 } from '../../src';

/** Metres between two nearby points (equirectangular is plenty at this scale). */
const metres = (a: { lon: number; lat: number }, b: { lon: number; lat: number }): number => {
  const k = 111_320;
  return Math.hypot((a.lon - b.lon) * k * Math.cos((a.lat * Math.PI) / 180), (a.lat - b.lat) * k);
};

describe('toWgs84', () => {
  const wgs = { lon: 116.4236, lat: 39.9473 }; // Gehua building

  it('passes WGS84 through unchanged', () => {
    expect(toWgs84({ ...wgs, crs: 'WGS84' })).toEqual(wgs);
  });

  it.each(['GCJ02', 'BD09'] as const)('inverts %s to within 0.5 m', (crs) => {
    const [lon, lat] = gcoord.transform<[number, number]>([wgs.lon, wgs.lat], gcoord.WGS84, gcoord[crs]);
    const offset = metres({ lon, lat }, wgs);
    expect(offset).toBeGreaterThan(100); // the shift the conversion exists for
    expect(metres(toWgs84({ lon, lat, crs }), wgs)).toBeLessThan(0.5);
  });

  it('converts a fixture GCJ-02 point (the one of 北京边界测试 on 东直门北小街58号)', () => {
    const p = toWgs84({ lon: 116.4282401, lat: 39.9493428, crs: 'GCJ02' });
    expect(p.lon).toBeCloseTo(116.422003, 5);
    expect(p.lat).toBeCloseTo(39.947946, 5);
  });
});
