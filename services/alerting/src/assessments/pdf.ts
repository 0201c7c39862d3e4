// The HTML report printed to PDF by headless Chromium (issue #17): A4, backgrounds kept (status
// colours), page numbers in the footer. Chromium embeds the fonts it draws with, so the Chinese text
// needs a CJK font on this machine (fonts-wqy-microhei: the report's CSS names WenQuanYi Micro Hei).
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Quiet, offline, profile-less: a print job must not phone home, update itself or sync. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export interface PdfOptions {
  /** Default: CHROMIUM_PATH, else /usr/bin/chromium. */
  chromiumPath?: string;
  /** Shown at the footer's left, e.g. the report's period and version. */
  footerNote?: string;
  /** For the whole print, launch included (the gateway gives up on its upstream after 30 s). */
  timeoutMs?: number;
}

/** This instance cannot print: no Chromium where configured, or it does not start. */
export class PdfUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfUnavailableError';
  }
}

export const chromiumPath = (opts: PdfOptions = {}): string => opts.chromiumPath ?? process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

const INSTALL_HINT =
  'install chromium and fonts-wqy-microhei (Debian: apt-get install chromium fonts-wqy-microhei), or set CHROMIUM_PATH to a Chromium executable';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Chromium's footer template: its own document, so the font is named again; `pageNumber` and
 * `totalPages` are filled in by Chromium on every page.
 */
function footerTemplate(note: string | undefined): string {
  const n = '<span class="pageNumber"></span>';
  const m = '<span class="totalPages"></span>';
  const left = note ? `<span>${escapeHtml(note)}</span>` : '<span></span>';
  return `<div style="font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;font-size:8px;color:#555;width:100%;margin:0 12mm;display:flex;justify-content:space-between">${left}<span>第 ${n} / ${m} 页 · page ${n} of ${m}</span></div>`;
}

async function launch(executablePath: string, profile: string, timeout: number): Promise<Browser> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new PdfUnavailableError(`PDF reports need Chromium, which is not at ${executablePath}: ${INSTALL_HINT}`);
  }
  try {
    return await puppeteer.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, `--user-data-dir=${profile}`], timeout });
  } catch (err) {
    throw new PdfUnavailableError(`Chromium at ${executablePath} did not start (${(err as Error).message.split('\n')[0]}): ${INSTALL_HINT}`);
  }
}

/** Prints `html` (a self-contained page: no network is reached) to an A4 PDF. One browser per call. */
export async function renderPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  const timeout = opts.timeoutMs ?? 25000;
  const profile = await mkdtemp(join(tmpdir(), 'siliconalley-pdf-'));
  let browser: Browser | undefined;
  try {
    browser = await launch(chromiumPath(opts), profile, timeout);
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    // The report is self-contained; anything that would leave the machine is refused.
    await page.setRequestInterception(true);
    page.on('request', (r) => void (/^(data|about):/.test(r.url()) ? r.continue() : r.abort('blockedbyclient')));
    await page.setContent(html, { waitUntil: 'load' });
    // Print only once the fonts are in: a string, as this service is compiled without the DOM's types.
    await page.evaluate('document.fonts.ready.then(() => true)');
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: footerTemplate(opts.footerNote),
      margin: { top: '12mm', bottom: '16mm', left: '12mm', right: '12mm' },
      timeout,
    });
    return Buffer.from(pdf);
  } finally {
    await browser?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
  }
}
