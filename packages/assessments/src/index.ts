export * from './periods';
export * from './labels';
export * from './content';
export { renderCsv } from './csv';
export { renderHtml, type HtmlOptions } from './html';
export * from './data-quality';
