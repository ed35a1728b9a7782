export { renderReport } from './html-report.js';
export type { ReportData } from './html-report.js';
export { renderBenchReport } from './bench-report.js';
export type { BenchReportData } from './bench-report.js';
