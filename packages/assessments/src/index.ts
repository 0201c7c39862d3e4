export * from './periods';
export * from './labels';
export * from './content';
export { renderActionListsCsv, renderCsv } from './csv';
export { renderHtml, type HtmlOptions } from './html';
export * from './data-quality';
export { renderXlsx } from './xlsx';
