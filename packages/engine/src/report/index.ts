export { renderReport } from './html-report.js';
export type { ReportData } from './html-report.js';
