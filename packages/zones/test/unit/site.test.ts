import { defaultZoneRegistry, resolveSiteLocation } from '../../src';

describe('resolveSiteLocation', () => {
  const registry = defaultZoneRegistry();
  const address = '北京市东城区';

  it('uses the location, converted, even when a building is given', () => {
    const p = resolveSiteLocation({ address, location: { lon: 116.43, lat: 39.95, crs: 'GCJ02' }, buildingId: 'B_GEHUA' }, registry);
    expect(p).not.toBeNull();
    expect(p!.lon).toBeLessThan(116.43); // GCJ-02 sits east of WGS84 in Beijing
    expect(p).not.toEqual(registry.buildingPoint('B_GEHUA'));
  });

  it('falls back to the known building point', () => {
    expect(resolveSiteLocation({ address, location: null, buildingId: 'B_YONGHE' }, registry)).toEqual({ lon: 116.4214, lat: 39.9442 });
  });

  it('is unlocated (null) for an unknown building or no data', () => {
    expect(resolveSiteLocation({ address, location: null, buildingId: 'B_UNKNOWN_37' }, registry)).toBeNull();
    expect(resolveSiteLocation({ address, location: null, buildingId: null }, registry)).toBeNull();
  });
});
