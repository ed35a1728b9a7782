// The gzip benchmark's corpus: real files from the pnpm store under node_modules/.pnpm,
// picked the same way whatever is installed. Every regular file of 1 byte to `maxBytes`
// (symlinks are not followed: pnpm links each package many times), sorted by path, then
// `files` of them spread evenly over that list. Read into memory once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The store the corpus is read from: the repository's `node_modules/.pnpm`. */
export const defaultRoot = new URL('../../node_modules/.pnpm', import.meta.url).pathname;

/** Files larger than this are left out (a handful of bundles would otherwise dominate the work). */
export const defaultMaxBytes = 1024 * 1024;

/** A file that may be picked: its path under the root and its size. */
export interface Candidate {
  readonly path: string;
  readonly bytes: number;
}

/** The corpus as read. `files[i]` holds the bytes of `paths[i]`. */
export interface Corpus {
  readonly root: string;
  readonly maxBytes: number;
  /** How many files were eligible (1 byte to `maxBytes`) before the pick. */
  readonly eligible: number;
  readonly paths: readonly string[];
  readonly files: readonly Buffer[];
}

/** The store holds fewer eligible files than were asked for. */
export class CorpusTooSmallError extends Error {
  override readonly name = 'CorpusTooSmallError';
  readonly code = 'ERR_BENCH_CORPUS_TOO_SMALL';
  constructor(root: string, eligible: number, wanted: number, maxBytes: number) {
    super(
      `${root} holds ${eligible.toLocaleString('en')} files of 1 B to ${maxBytes.toLocaleString('en')} B; ` +
        `the corpus needs ${wanted.toLocaleString('en')}. Run with --files ${eligible} or fewer, or install more packages.`,
    );
  }
}

/**
 * `n` indices spread evenly over `0..total-1`: `floor(i * total / n)`. Strictly increasing
 * while `n <= total`, and the whole range when `n === total`.
 */
export function evenPick(total: number, n: number): number[] {
  if (!(n >= 0 && n <= total) || !Number.isInteger(n) || !Number.isInteger(total))
    throw new RangeError(`Expected \`n\` to be an integer from 0 to ${total}, got \`${n}\` (${typeof n})`);
  return Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}

/** Code-unit order, not the locale's: the same list on every machine. */
const byPath = (a: Candidate, b: Candidate) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Every regular file under `root` of 1 byte to `maxBytes`, sorted by path (relative to `root`). */
// Synchronous on purpose: set-up before any timing, and thousands of reads at once would
// only queue on libuv's pool (and may run out of file descriptors).
export function candidates(root: string, maxBytes: number): Candidate[] {
  const found: Candidate[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push({ path: relative(root, path), bytes: statSync(path).size });
    }
  };
  walk(root);
  return found.filter((c) => c.bytes >= 1 && c.bytes <= maxBytes).sort(byPath);
}

/** Picks `files` of the eligible files under `root` (see {@link evenPick}) and reads them; throws {@link CorpusTooSmallError} when there are fewer. */
export function loadCorpus(files: number, root = defaultRoot, maxBytes = defaultMaxBytes): Corpus {
  const all = candidates(root, maxBytes);
  if (all.length < files) throw new CorpusTooSmallError(root, all.length, files, maxBytes);
  const paths = evenPick(all.length, files).map((i) => (all[i] as Candidate).path);
  const contents = paths.map((path) => readFileSync(join(root, path)));
  return { root, maxBytes, eligible: all.length, paths, files: contents };
}
