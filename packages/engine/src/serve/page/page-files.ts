/**
 * The files the live page is made of, beside its HTML: a fixed table, and
 * nothing else is read from disk. Each browser module is served at its path
 * under the built `dist/` folder, so the relative imports tsc left in it
 * resolve in the browser as they do on disk; the client is the esbuild
 * bundle `pnpm build` writes.
 */

/** The bundled browser client, as the page's script imports it. */
export const CLIENT_PATH = '/tidemark-client.js';

/** The page's entry module. */
export const SCRIPT_PATH = '/serve/page/script/live-page.js';

const SCRIPTS = ['live-page', 'page-dom', 'page-run', 'open-socket', 'run-meter', 'render-run', 'sparkline', 'skewed-values'];

/** URL path → file under `dist/`. */
export const PAGE_FILES: ReadonlyMap<string, string> = new Map([
  [CLIENT_PATH, 'browser/tidemark-client.js'],
  ...SCRIPTS.map((name): [string, string] => [`/serve/page/script/${name}.js`, `serve/page/script/${name}.js`]),
  // The demo source draws its latencies as `tidemark bench`'s lognormal workload does.
  ['/workload/distributions.js', 'workload/distributions.js'],
  ['/workload/random.js', 'workload/random.js'],
]);

/**
 * The built `dist/` folder: two levels up from this module there
 * (`dist/serve/page/`); run from `src/` (under tsx), the `dist/` beside it,
 * which `pnpm build` fills.
 */
export const DIST_ROOT: URL = import.meta.url.endsWith('.ts') ? new URL('../../../dist/', import.meta.url) : new URL('../../', import.meta.url);
