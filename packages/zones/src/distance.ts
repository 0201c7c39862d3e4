// Distance from a point to a zone's boundary, exactly as kpis.md "Action lists" defines it: a local
// equirectangular projection at the point's latitude, then the nearest segment of any ring (holes
// included). Two implementations following the definition agree to the metre.
import type { WgsPoint } from './crs';
import type { ZonePolygon } from './registry';

/** Metres per degree of latitude (kpis.md). */
export const METRES_PER_DEGREE_LATITUDE = 111195;

/** Every ring (outer and holes) of a Polygon or MultiPolygon. */
function ringsOf(geometry: ZonePolygon): number[][][] {
  return geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
}

/**
 * Metres from `point` to the nearest point of the polygon's boundary, rounded half up to a whole
 * metre. For each edge (a, b): project p, a, b to (lon·kx, lat·ky) with ky = 111195 m/° and
 * kx = ky·cos(lat of p), then the Euclidean distance from p to the segment ab, clamped to its ends.
 */
export function distanceToBoundaryMeters(point: WgsPoint, geometry: ZonePolygon): number {
  const ky = METRES_PER_DEGREE_LATITUDE;
  const kx = ky * Math.cos((point.lat * Math.PI) / 180);
  const px = point.lon * kx;
  const py = point.lat * ky;
  let best = Number.POSITIVE_INFINITY;
  for (const ring of ringsOf(geometry)) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const ax = ring[i]![0]! * kx;
      const ay = ring[i]![1]! * ky;
      const bx = ring[i + 1]![0]! * kx;
      const by = ring[i + 1]![1]! * ky;
      const dx = bx - ax;
      const dy = by - ay;
      const length2 = dx * dx + dy * dy;
      const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
      const distance = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
      if (distance < best) best = distance;
    }
  }
  return Math.floor(best + 0.5);
}
