import { barChart, lineChart, textWidth, FONT_PX } from '../../src/svg';

const tickLabels = (svg: string, axis: 'x' | 'y') => [...svg.matchAll(new RegExp(`<text [^>]*data-axis="${axis}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]!);

/** Legend boxes as the chart lays them out: x, y, width, height. */
const legendBoxes = (svg: string) =>
  [...svg.matchAll(/class="legend-item" data-box="([^"]+)"/g)].map((m) => m[1]!.split(' ').map(Number) as [number, number, number, number]);
const viewWidth = (svg: string) => Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)![1]);

/** Every label a multiple of one round step (1, 2 or 5 × 10^k), evenly spaced. */
function expectRoundTicks(values: number[]) {
  expect(values.length).toBeGreaterThanOrEqual(3);
  const step = values[1]! - values[0]!;
  const magnitude = 10 ** Math.floor(Math.log10(step));
  expect([1, 2, 5, 10]).toContainEqual(Math.round((step / magnitude) * 1e9) / 1e9);
  for (let i = 1; i < values.length; i++) expect(values[i]! - values[i - 1]!).toBeCloseTo(step, 9);
  for (const v of values) expect(Math.abs(v / step - Math.round(v / step))).toBeLessThan(1e-9);
}

function expectNoOverlap(svg: string) {
  const boxes = legendBoxes(svg);
  expect(boxes.length).toBeGreaterThan(0);
  for (const [x, , w] of boxes) expect(x + w).toBeLessThanOrEqual(viewWidth(svg));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      const apart = a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1];
      expect({ i, j, apart }).toEqual({ i, j, apart: true });
    }
  }
}

const shareChart = (lo: number, hi: number) =>
  lineChart({
    id: 'headline',
    title: 'share',
    from: '2023-12-31',
    to: '2026-12-31',
    axis: 'percent',
    series: [
      {
        name: '实际 Actual',
        color: '#1f5fbf',
        points: [
          { date: '2023-12-31', value: lo },
          { date: '2025-06-30', value: (lo + hi) / 2 },
        ],
      },
      {
        name: '直线路径 Straight path',
        color: '#7a7a7a',
        dashed: true,
        points: [
          { date: '2023-12-31', value: lo },
          { date: '2026-12-31', value: hi },
        ],
      },
      {
        name: '预测 Forecast',
        color: '#d9822b',
        dashed: true,
        points: [
          { date: '2025-06-30', value: (lo + hi) / 2 },
          { date: '2026-12-31', value: hi * 0.98 },
        ],
      },
    ],
    levels: [{ name: '目标 Target', value: hi, color: '#2e8540' }],
  });

describe('axes', () => {
  it.each([
    [0.271, 0.334],
    [0.0612, 0.0918],
    [0.1, 0.15],
    [0.2166, 0.2168],
  ])('reads a share axis %p..%p at round percentages', (lo, hi) => {
    const labels = tickLabels(shareChart(lo, hi), 'y');
    for (const l of labels) expect(l).toMatch(/^\d+(\.\d+)?%$/);
    const values = labels.map((l) => Number(l.slice(0, -1)));
    expectRoundTicks(values);
    expect(Math.min(...values)).toBeLessThanOrEqual(lo * 100);
    expect(Math.max(...values)).toBeGreaterThanOrEqual(hi * 100);
  });

  it('gives 27%..34% for 0.271..0.334, not 27.1/30.2/33.4%', () => {
    expect(tickLabels(shareChart(0.271, 0.334), 'y')).toEqual(['27%', '28%', '29%', '30%', '31%', '32%', '33%', '34%']);
  });

  it('puts bar-chart count ticks on whole round numbers', () => {
    const svg = barChart({
      id: 'b',
      title: 'b',
      seriesNames: ['A', 'B'],
      colors: ['#000', '#999'],
      groups: [
        { label: '人工智能', values: [37, 1234] },
        { label: '智慧医疗', values: [3, 801] },
      ],
    });
    const values = tickLabels(svg, 'x').map((l) => Number(l.replace(/,/g, '')));
    expectRoundTicks(values);
    expect(values.at(-1)).toBeGreaterThanOrEqual(1234);
    for (const l of tickLabels(svg, 'x')) expect(l).toMatch(/^\d{1,3}(,\d{3})*$/);
    expect(svg).toContain('>1,234</text>');
  });
});

describe('legends', () => {
  it('estimates CJK at about 1 em and Latin at about 0.6 em', () => {
    expect(textWidth('青龙硅巷')).toBe(4 * FONT_PX);
    expect(textWidth('Actual')).toBeCloseTo(6 * 0.6 * FONT_PX);
    expect(textWidth('专精特新“小巨人”')).toBe(9 * FONT_PX);
  });

  it('lays out the industry chart legend without overlap, even with a long zone name', () => {
    const svg = barChart({
      id: 'industries',
      title: 'qualified firms by industry',
      seriesNames: [
        '青龙胡同—簋街硅巷启动区及拓展区 zone:QL',
        '全区 District',
        '东直门—东四十条硅巷 zone:DZM',
        '高新及专精特新企业 Qualified firms (HNTE or SRDI)',
      ],
      colors: ['#1f5fbf', '#c3c3c3', '#888', '#444'],
      groups: [{ label: '人工智能', values: [4, 30, 2, 9] }],
    });
    expectNoOverlap(svg);
    // Long names do not fit on one row next to each other: the legend wraps.
    expect(new Set(legendBoxes(svg).map((b) => b[1])).size).toBeGreaterThan(1);
  });

  it('lays out the zone chart and headline chart legends without overlap', () => {
    expectNoOverlap(
      barChart({
        id: 'zones',
        title: 'z',
        seriesNames: ['高新及专精特新企业 Qualified', '在营企业 Active'],
        colors: ['#1f5fbf', '#9db7e0'],
        groups: [{ label: '园区 QL', values: [20, 60] }],
      }),
    );
    expectNoOverlap(shareChart(0.271, 0.334));
  });

  it('keeps the plot below the legend', () => {
    const svg = shareChart(0.271, 0.334);
    const legendBottom = Math.max(...legendBoxes(svg).map(([, y, , h]) => y + h));
    const gridTop = Math.min(...[...svg.matchAll(/<line [^>]*y1="([\d.]+)"[^>]*class="grid"/g)].map((m) => Number(m[1])));
    expect(gridTop).toBeGreaterThan(legendBottom);
  });
});
