// Where simulated firms sit: inside the plan's zones (points drawn in the zone polygons of
// zones.geojson), elsewhere in Dongcheng, at a building only, unlocated, or in another district;
// coordinates as the map service the provider used gives them (WGS84, GCJ-02 from AMap/Tencent,
// BD-09 from Baidu).
import gcoord from 'gcoord';
import { DONGCHENG_DISTRICT_CODE, type CrsName } from '@siliconalley/contract';
import { defaultZoneRegistry, type Zone } from '@siliconalley/zones';
import type { Dice } from './dice';

export interface SimLocation {
  lon: number;
  lat: number;
  crs: CrsName;
}
export interface SimSite {
  address: string;
  location: SimLocation | null;
  buildingId: string | null;
}

/** Districts a firm may first register in or move to (GB/T 2260), with a rough box and streets. */
const OTHER_DISTRICTS = [
  { code: '110105', name: '朝阳区', box: [116.46, 39.9, 116.56, 40.0], streets: ['建国路', '望京街', '酒仙桥路', '东三环中路'] },
  { code: '110102', name: '西城区', box: [116.34, 39.89, 116.38, 39.95], streets: ['金融大街', '西直门南大街', '月坛北街'] },
  { code: '110108', name: '海淀区', box: [116.28, 39.95, 116.34, 40.02], streets: ['中关村大街', '北四环西路', '知春路'] },
] as const;
export const OTHER_DISTRICT_CODES: readonly string[] = OTHER_DISTRICTS.map((d) => d.code);

/** Roughly Dongcheng's extent: locations outside the zones but in the district. */
const DONGCHENG_BOX = [116.385, 39.865, 116.445, 39.965] as const;
const DONGCHENG_STREETS = [
  '青龙胡同',
  '北新桥三条',
  '雍和宫大街',
  '东四十条',
  '北三环东路',
  '安定门外大街',
  '东直门北小街',
  '交道口南大街',
  '王府井大街',
  '崇文门外大街',
  '和平里东街',
  '东单北大街',
  '簋街',
  '南锣鼓巷',
] as const;

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

interface ZoneSampler {
  zone: Zone;
  box: [number, number, number, number];
}

let samplers: ZoneSampler[] | undefined;
function zoneSamplers(): ZoneSampler[] {
  samplers ??= defaultZoneRegistry().zones.map((zone) => {
    const rings: number[][][] = zone.geometry.type === 'Polygon' ? zone.geometry.coordinates : zone.geometry.coordinates.flat();
    const points = rings.flat();
    const lons = points.map((p) => p[0]!);
    const lats = points.map((p) => p[1]!);
    return { zone, box: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] };
  });
  return samplers;
}

/** A WGS84 point inside a zone polygon (rejection sampling in its bounding box). */
function pointInZone(dice: Dice, sampler: ZoneSampler): [number, number] {
  const registry = defaultZoneRegistry();
  const [minLon, minLat, maxLon, maxLat] = sampler.box;
  let point: [number, number] = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
  for (let attempt = 0; attempt < 30; attempt++) {
    const candidate: [number, number] = [minLon + dice.unit() * (maxLon - minLon), minLat + dice.unit() * (maxLat - minLat)];
    if (registry.zonesAt({ lon: candidate[0], lat: candidate[1] }).includes(sampler.zone.id)) return candidate;
    point = candidate;
  }
  return point;
}

function pointInBox(dice: Dice, box: readonly number[]): [number, number] {
  return [box[0]! + dice.unit() * (box[2]! - box[0]!), box[1]! + dice.unit() * (box[3]! - box[1]!)];
}

/** The point as a provider's map service reports it. */
export function inCrs(wgs: readonly [number, number], crs: CrsName): SimLocation {
  if (crs === 'WGS84') return { lon: round7(wgs[0]), lat: round7(wgs[1]), crs };
  const [lon, lat] = gcoord.transform<[number, number]>([wgs[0], wgs[1]], gcoord.WGS84, crs === 'GCJ02' ? gcoord.GCJ02 : gcoord.BD09);
  return { lon: round7(lon), lat: round7(lat), crs };
}

const pickCrs = (dice: Dice): CrsName =>
  dice.weighted<CrsName>([
    ['WGS84', 5],
    ['GCJ02', 3],
    ['BD09', 2],
  ]);

type SiteKind = 'zone' | 'district' | 'building' | 'buildingAndPoint' | 'unknownBuilding' | 'unlocated';

/** A site in `districtCode`: in Dongcheng anything from a zone point to unlocated; elsewhere a street address. */
export function drawSite(dice: Dice, districtCode: string): SimSite {
  if (districtCode !== DONGCHENG_DISTRICT_CODE) {
    const district = OTHER_DISTRICTS.find((d) => d.code === districtCode) ?? OTHER_DISTRICTS[0];
    const address = `北京市${district.name}${dice.pick(district.streets)}${dice.between(1, 300)}号`;
    return { address, location: dice.chance(0.6) ? inCrs(pointInBox(dice, district.box), pickCrs(dice)) : null, buildingId: null };
  }
  const address = `北京市东城区${dice.pick(DONGCHENG_STREETS)}${dice.between(1, 200)}号`;
  const kind = dice.weighted<SiteKind>([
    ['zone', 34],
    ['district', 24],
    ['building', 14],
    ['buildingAndPoint', 8],
    ['unknownBuilding', 4],
    ['unlocated', 16],
  ]);
  const buildings = defaultZoneRegistry().buildings;
  switch (kind) {
    case 'zone':
      return { address, location: inCrs(pointInZone(dice, dice.pick(zoneSamplers())), pickCrs(dice)), buildingId: null };
    case 'district':
      return { address, location: inCrs(pointInBox(dice, DONGCHENG_BOX), pickCrs(dice)), buildingId: null };
    case 'building':
      return { address, location: null, buildingId: dice.pick(buildings).id };
    case 'buildingAndPoint': {
      const building = dice.pick(buildings);
      // A point a few tens of metres from the building's reference point, as a geocoder gives it.
      const near: [number, number] = [building.point.lon + (dice.unit() - 0.5) * 0.0008, building.point.lat + (dice.unit() - 0.5) * 0.0006];
      return { address, location: inCrs(near, pickCrs(dice)), buildingId: building.id };
    }
    case 'unknownBuilding':
      // Accepted by the contract; the firm is then unlocated.
      return { address, location: null, buildingId: `B_LOCAL_${dice.between(1, 40)}` };
    case 'unlocated':
      return { address, location: null, buildingId: null };
  }
}
