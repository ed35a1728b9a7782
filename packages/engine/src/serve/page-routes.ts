import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAGE_CSP, PAGE_HTML } from './page/page-html.js';
import { DIST_ROOT, PAGE_FILES } from './page/page-files.js';

/** Headers on every answer of the page's routes. */
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy': PAGE_CSP,
};

/**
 * The live page's routes on `tidemark serve`'s HTTP server: answers
 * `request` and returns true when its path is one of them, else returns
 * false (and the server answers 404). `GET /` is the page; the scripts it
 * loads are a fixed table of built files (see `page-files.ts`), so no
 * request path ever names a file. Only GET and HEAD are answered; any other
 * method on these paths gets 405.
 */
export function pageRoute(request: IncomingMessage, response: ServerResponse): boolean {
  const path = (request.url ?? '/').split('?', 1)[0];
  const file = path === undefined ? undefined : PAGE_FILES.get(path);
  if (path !== '/' && file === undefined) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    answer(request, response, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', { allow: 'GET, HEAD' });
    return true;
  }
  if (file === undefined) {
    answer(request, response, 200, 'text/html; charset=utf-8', PAGE_HTML);
    return true;
  }
  readFile(new URL(file, DIST_ROOT)).then(
    (body) => answer(request, response, 200, 'text/javascript; charset=utf-8', body),
    (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? `dist/${file} is missing: build @tidemark/engine (pnpm build)` : `dist/${file} cannot be read (${error.message})`;
      answer(request, response, 500, 'text/plain; charset=utf-8', `${why}\n`);
    },
  );
  return true;
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...COMMON_HEADERS, ...extra, 'content-type': type, 'content-length': bytes.byteLength });
  response.end(request.method === 'HEAD' ? undefined : bytes);
}
