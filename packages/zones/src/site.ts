import type { Site } from '@siliconalley/contract';
import { toWgs84, type WgsPoint } from './crs';
import type { ZoneRegistry } from './registry';

/**
 * A firm's location from its site (kpis.md "Location"): `location` converted to WGS84 when not null;
 * else the point of `buildingId` when the registry knows it; else null — the firm is unlocated.
 */
export function resolveSiteLocation(site: Site, registry: ZoneRegistry): WgsPoint | null {
  if (site.location !== null) return toWgs84(site.location);
  if (site.buildingId !== null) return registry.buildingPoint(site.buildingId);
  return null;
}
