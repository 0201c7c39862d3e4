import bundled from './zones.json';
import { loadZoneRegistry, type ZoneRegistry } from './registry';

let registry: ZoneRegistry | undefined;

/** The bundled, approximate zones of shared/spec/zones.geojson (loaded once). */
export function defaultZoneRegistry(): ZoneRegistry {
  registry ??= loadZoneRegistry(bundled);
  return registry;
}
