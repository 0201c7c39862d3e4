export { toWgs84, type WgsPoint } from './crs';
export {
  loadZoneRegistry,
  ZoneRegistry,
  ZoneRegistryError,
  type Building,
  type Zone,
  type ZonePolygon,
} from './registry';
export { resolveSiteLocation } from './site';
export { defaultZoneRegistry } from './defaults';
export { distanceToBoundaryMeters, METRES_PER_DEGREE_LATITUDE } from './distance';
