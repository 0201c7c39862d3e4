// Coordinate conversion. Chinese map services publish GCJ-02 (AMap, Tencent) or BD-09 (Baidu),
// hundreds of metres off WGS84 in Beijing; zones are WGS84, so every location is converted first.
import gcoord, { type CRSTypes } from 'gcoord';
import type { CrsName, GeoLocation } from '@siliconalley/contract';

/** A WGS84 longitude/latitude pair (the frame of the zone polygons and building points). */
export interface WgsPoint {
  lon: number;
  lat: number;
}

const GCOORD_CRS: Record<CrsName, CRSTypes> = {
  WGS84: gcoord.WGS84,
  GCJ02: gcoord.GCJ02,
  BD09: gcoord.BD09,
};

/**
 * Converts a contract location to WGS84. GCJ-02 → WGS84 is gcoord's iterative inverse
 * (converges to 1e-6°, about 0.1 m); BD-09 goes through GCJ-02.
 */
export function toWgs84(location: GeoLocation): WgsPoint {
  if (location.crs === 'WGS84') return { lon: location.lon, lat: location.lat };
  const crs = GCOORD_CRS[location.crs];
  if (crs === undefined) throw new Error(`toWgs84: unknown crs ${JSON.stringify(location.crs)}`);
  const converted = gcoord.transform<[number, number]>([location.lon, location.lat], crs, gcoord.WGS84);
  return { lon: converted[0], lat: converted[1] };
}
