// Department names: the plan annex (shared/seed/) names each body in one short form, but it has
// a typo, and providers send the full official names or common abbreviations. Every check and
// scorecard works on the canonical name, which is the annex's form with its typos fixed.

/**
 * Canonical name → other names of the same body. Deliberately conservative: a name is only
 * listed when it unmistakably means that body. `区城管局` and `区城市管理委` are different bodies
 * (kpis.md) and are never merged; bodies not on any task (e.g. `区教委`) get no entry.
 */
const DEPARTMENT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  // Zhongguancun Dongcheng Park administrative committee, which is also the district S&T commission.
  东城园管委会区科委: [
    '东城区管委会区科委', // typo in the plan annex, tasks 27 and 28 (kpis.md)
    '区科委',
    '东城园管委会',
    '中关村东城园管委会',
    '中关村科技园区东城园管理委员会',
    '区科学技术委员会',
  ],
  区发展改革委: ['区发改委', '区发展和改革委员会'],
  区财政局: [],
  区经济和信息化局: ['区经信局'],
  区国资委: ['区国有资产监督管理委员会', '区人民政府国有资产监督管理委员会'],
  区住房城市建设委: ['区住建委', '区住房和城市建设委员会', '区住房城市建设委员会'],
  区城市管理委: ['区城管委', '区城市管理委员会'],
  区城管局: [],
  区房管局: ['区房屋管理局'],
  市规划自然资源委东城分局: ['北京市规划和自然资源委员会东城分局', '市规划和自然资源委员会东城分局', '市规自委东城分局'],
  区委组织部: ['中共北京市东城区委组织部', '中共东城区委组织部'],
  区政府办公室: ['区政府办', '区人民政府办公室'],
  区市场监管局: ['区市场监督管理局'],
  区园林绿化局: [],
  区投促中心: ['区投资促进服务中心'],
  区文促中心: ['区文化发展促进中心'],
  区卫生健康委: ['区卫健委', '区卫生健康委员会'],
  北新桥街道: ['北新桥街道办事处'],
  体育馆路街道: ['体育馆路街道办事处'],
};

const CANONICAL_BY_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(DEPARTMENT_ALIASES).flatMap(([canonical, aliases]) => [canonical, ...aliases].map((name) => [name, canonical] as const)),
);

/** The district's own prefix, which district bodies may or may not spell out. */
const DISTRICT_PREFIXES = ['北京市东城区', '东城区'];

/** Full-width characters to half-width, no whitespace anywhere (names contain none). */
function tidy(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, '');
}

/**
 * The canonical name of a department (kpis.md "Plan tasks"). Accepts the annex forms, the
 * listed aliases, and either of them spelled with the district prefix (`东城区财政局`,
 * `北京市东城区北新桥街道办事处`). An unknown name comes back tidied but otherwise as sent.
 */
export function normaliseDepartment(name: string): string {
  const tidied = tidy(name);
  const direct = CANONICAL_BY_NAME.get(tidied);
  if (direct !== undefined) return direct;
  for (const prefix of DISTRICT_PREFIXES) {
    if (!tidied.startsWith(prefix)) continue;
    const rest = tidied.slice(prefix.length);
    // `东城区财政局` → `区财政局`; `东城区北新桥街道` → `北新桥街道`.
    const canonical = CANONICAL_BY_NAME.get(`区${rest}`) ?? CANONICAL_BY_NAME.get(rest);
    if (canonical !== undefined) return canonical;
  }
  return tidied;
}

/** Whether a name (after normalisation) is one of the bodies the alias table knows. */
export function isKnownDepartment(name: string): boolean {
  return Object.hasOwn(DEPARTMENT_ALIASES, normaliseDepartment(name));
}
