// The PDF print through the machine's Chromium, checked as a reader gets it: pdftoppm (poppler-utils,
// provisioned by infra/local/bootstrap.sh) turns the pages into PNGs; the PDF embeds its CJK font and
// its pages are A4. Needs chromium and fonts-wqy-microhei, as the alerting image has them.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PdfUnavailableError, renderPdf } from '../../src/assessments/pdf';

const HTML = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<style>body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;font-size:28px}.next{page-break-before:always}.bad{background:#fde2e1}</style></head>
<body><h1>东城区“硅巷”行动计划评估报告</h1><p class="bad">园区企业占全区比重：存在风险 At risk</p>
<section class="next"><h1>第二页 Second page</h1><p>重点任务 Plan tasks</p></section></body></html>`;

/** A4 in PostScript points is 595.28 × 841.89. */
const mediaBoxes = (pdf: string) =>
  [...pdf.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[3]) - Number(m[1]), Number(m[4]) - Number(m[2])]);

describe('renderPdf', () => {
  let dir: string;
  let pdf: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pdf-test-'));
    pdf = await renderPdf(HTML, { footerNote: '硅巷评估 2025-Q4 v1' });
    await writeFile(join(dir, 'report.pdf'), pdf);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints two A4 pages that pdftoppm renders', async () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    execFileSync('pdftoppm', ['-png', '-r', '50', join(dir, 'report.pdf'), join(dir, 'page')]);
    const pages = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
    expect(pages).toEqual(['page-1.png', 'page-2.png']);
    const boxes = mediaBoxes(pdf.toString('latin1'));
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    for (const [w, h] of boxes) {
      expect(Math.abs(w! - 595)).toBeLessThanOrEqual(1);
      expect(Math.abs(h! - 842)).toBeLessThanOrEqual(1);
    }
  });

  it('numbers the pages in the footer, in Chinese and English, beside the note', () => {
    const pages = [1, 2].map((n) => execFileSync('pdftotext', ['-f', String(n), '-l', String(n), join(dir, 'report.pdf'), '-'], { encoding: 'utf8' }));
    expect(pages[0]).toContain('东城区“硅巷”行动计划');
    expect(pages[0]).toContain('第 1 / 2 页 · page 1 of 2');
    expect(pages[0]).toContain('硅巷评估 2025-Q4 v1');
    expect(pages[1]).toContain('第二页 Second page');
    expect(pages[1]).toContain('第 2 / 2 页 · page 2 of 2');
  });

  it('embeds the font it draws the Chinese with', () => {
    const text = pdf.toString('latin1');
    expect(text).toMatch(/\/FontFile[23]?/);
    // pdffonts lists every font and whether it is embedded; the CJK one must be.
    const fonts = execFileSync('pdffonts', [join(dir, 'report.pdf')], { encoding: 'utf8' });
    expect(fonts).toMatch(/WenQuanYi|WQY|MicroHei|Noto\w*CJK/i);
    for (const line of fonts.split('\n').slice(2).filter(Boolean)) expect(line).toMatch(/\syes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
  });

  it('says what to install when Chromium is missing', async () => {
    const missing = renderPdf(HTML, { chromiumPath: '/nonexistent/chromium' });
    await expect(missing).rejects.toBeInstanceOf(PdfUnavailableError);
    await expect(missing).rejects.toThrow(/not at \/nonexistent\/chromium: install chromium and fonts-wqy-microhei .* or set CHROMIUM_PATH/);
  });
});
