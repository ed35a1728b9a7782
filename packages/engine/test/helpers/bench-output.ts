import assert from 'node:assert/strict';

// Reading what `tidemark bench` (and `demo`) print: the Markdown table, and
// the arithmetic that ties its printed figures together.

/** The rows of the Markdown table in `text`, as records keyed by the header cells. */
export function markdownTable(text: string): Record<string, string>[] {
  const rows = text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const [header, rule, ...body] = rows;
  assert.ok(header !== undefined && rule !== undefined, `a table with a header in:\n${text}`);
  assert.ok(rule.every((cell) => /^:?-+:?$/.test(cell)), 'the second row is the alignment rule');
  return body.map((cells) => {
    assert.equal(cells.length, header.length, 'every row has a cell per column');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}

/** The header cells of the Markdown table in `text`. */
export function tableHeader(text: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith('|')) ?? '';
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

/** `a / b` where `a` and `b` are known only to `digits` decimals: the range the true ratio lies in. */
export function ratioRange(a: string, b: string, digits: number): [number, number] {
  const half = 0.5 * 10 ** -digits;
  return [(Number(a) - half) / (Number(b) + half), (Number(a) + half) / (Number(b) - half)];
}

/** `printed` (to `digits` decimals) is the rounding of some value in `[low, high]`. */
export function printedWithin(printed: string, [low, high]: [number, number], digits: number, what: string): void {
  const half = 0.5 * 10 ** -digits;
  const value = Number(printed);
  assert.ok(value >= low - half - 1e-12 && value <= high + half + 1e-12, `${what}: printed ${printed}, true value in [${low}, ${high}]`);
}

/**
 * The best row by the rule the bench states, restated here from its words
 * and applied to the printed cells: among the rows with the fewest failed
 * records, those within 5% of the highest wall msg/s are tied; the lowest
 * p99 wins, then the higher wall msg/s, then the first row. `failed` counts
 * as 0 in a table without that column. -1 when every record failed in
 * every row (there is no best).
 */
export function bestByRule(rows: readonly Record<string, string>[]): number {
  const figures = rows.map((row, index) => ({
    index,
    failed: Number(row.failed ?? '0'),
    messages: Number(row.messages ?? 'NaN'),
    throughput: Number(row['wall msg/s']),
    p99: Number(row['p99 ms']),
  }));
  const fewest = Math.min(...figures.map((f) => f.failed));
  const eligible = figures.filter((f) => f.failed === fewest && f.failed !== f.messages);
  const top = Math.max(...eligible.map((f) => f.throughput));
  const tied = eligible.filter((f) => f.throughput >= 0.95 * top);
  tied.sort((a, b) => a.p99 - b.p99 || b.throughput - a.throughput || a.index - b.index);
  return tied[0]?.index ?? -1;
}

/**
 * The acks `msg/s` needs in its window to be shown, as the bench states it:
 * 10 per slot. An input with fewer messages than that can never show it.
 */
export function minSteadyAcks(concurrency: number): number {
  return 10 * concurrency;
}
