/**
 * The smallest whole n ≥ 0 of additional qualified firms in a zone — the district total growing by the
 * same n — such that the zone share (qZone + n) / (qDistrict + n) reaches `goal`; null when no n does
 * (a share below 1 never reaches a goal ≥ 1).
 */
export function firmsNeeded(qZone: number, qDistrict: number, goal: number): number | null {
  const reaches = (n: number): boolean => qDistrict + n > 0 && (qZone + n) / (qDistrict + n) >= goal;
  if (reaches(0)) return 0;
  // A share below 1 never reaches a goal ≥ 1; only an empty district (0/0) gets to exactly 1, with one firm.
  if (goal >= 1) return goal === 1 && qDistrict === 0 ? 1 : null;
  // (qZone + n) ≥ goal·(qDistrict + n) ⇔ n ≥ (goal·qDistrict − qZone) / (1 − goal); then settle the
  // rounding of the closed form against the share as computed.
  let n = Math.max(1, Math.ceil((goal * qDistrict - qZone) / (1 - goal)));
  while (n > 1 && reaches(n - 1)) n--;
  while (!reaches(n)) n++;
  return n;
}
