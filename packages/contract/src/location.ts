// Coordinates must lie in China's bounding box (events.md "Rejections", invalid_location), in
// whatever CRS they are sent: WGS84, GCJ-02 and BD-09 all stay within a kilometre of each other.

export const LONGITUDE_RANGE = { min: 73, max: 136 } as const;
export const LATITUDE_RANGE = { min: 3, max: 54 } as const;

const within = (value: number, range: { min: number; max: number }) => Number.isFinite(value) && value >= range.min && value <= range.max;

/** What is wrong with a point, worded for the provider; null when it lies in the box. */
export function locationProblem(location: { lon: number; lat: number }): string | null {
  const { lon, lat } = location;
  const lonOk = within(lon, LONGITUDE_RANGE);
  const latOk = within(lat, LATITUDE_RANGE);
  if (lonOk && latOk) return null;
  const swapped = within(lat, LONGITUDE_RANGE) && within(lon, LATITUDE_RANGE);
  const parts = [
    ...(lonOk ? [] : [`lon ${lon} is outside ${LONGITUDE_RANGE.min}..${LONGITUDE_RANGE.max}`]),
    ...(latOk ? [] : [`lat ${lat} is outside ${LATITUDE_RANGE.min}..${LATITUDE_RANGE.max}`]),
  ];
  return `${parts.join(' and ')}${swapped ? ' (lon and lat look swapped)' : ''}`;
}
