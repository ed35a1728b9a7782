import { markdownTable } from 'markdown-table';

/** One enforced check of a benchmark: a bar its figures must meet, or the run exits 1. */
export interface Check {
  readonly name: string;
  readonly pass: boolean;
  /** The figure (and what it came from), as printed. */
  readonly detail: string;
}

/** The checks as a Markdown table: check, value, `pass` or `FAIL`. */
export function checkTable(checks: readonly Check[]): string {
  return markdownTable([['check', 'value', 'result'], ...checks.map((c) => [c.name, c.detail, c.pass ? 'pass' : 'FAIL'])]);
}
