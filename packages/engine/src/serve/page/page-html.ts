import { createHash } from 'node:crypto';
import { SCRIPT_PATH } from './page-files.js';
import { PAGE_STYLE } from './page-style.js';

/**
 * The live page's HTML: a form to start a run, live figures with a
 * sparkline each, and the totals. Everything the page needs is its own:
 * the stylesheet is inline, the script a module from this server, and the
 * Content-Security-Policy lets nothing else in.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tidemark live</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
<script type="module" src="${SCRIPT_PATH}"></script>
</head>
<body>
<main id="live" data-state="loading">
<h1>Tidemark <span>live</span></h1>
<p class="server" id="server">connecting…</p>
<form id="run-form">
  <label>Transform <select id="transform" required></select></label>
  <label>Messages <input id="count" type="number" min="1" max="10000000" step="1" value="5000" required></label>
  <label>Concurrency <input id="concurrency" type="number" min="1" step="1" value="32" required></label>
  <label>Threads <input id="threads" type="number" min="1" step="1" placeholder="default"></label>
  <label>Mean ms <input id="mean-ms" type="number" min="0" step="any" value="10" required></label>
  <label>Seed <input id="seed" type="number" step="1" value="1" required></label>
  <div class="actions">
    <button id="start" type="submit" disabled>Start</button>
    <button id="stop" type="button" class="secondary" disabled>Stop</button>
    <p class="hint">Each message is <code>{ value: { id, ms } }</code>: <code>id</code> from 0, <code>ms</code> a seeded lognormal latency with that mean.</p>
  </div>
</form>
<section class="status" aria-live="polite">
  <div id="state-text">Loading the transforms this server serves…</div>
  <p class="error" id="error" role="alert" hidden></p>
</section>
<section class="cards">
  <div class="card">
    <h2>Throughput</h2>
    <p class="figure" id="throughput">–</p>
    <p class="sub" id="throughput-sub">msg/s over the last 2 s</p>
    <svg data-chart="throughput" viewBox="0 0 240 64" preserveAspectRatio="none" role="img" aria-label="throughput over time"><polyline id="chart-throughput" data-series="throughput" points=""/></svg>
  </div>
  <div class="card">
    <h2>In flight vs target</h2>
    <p class="figure" id="processing">–</p>
    <p class="sub" id="in-flight">at the workers / concurrency</p>
    <svg data-chart="in-flight" viewBox="0 0 240 64" preserveAspectRatio="none" role="img" aria-label="messages in flight over time"><polyline id="chart-target" data-series="target" points=""/><polyline id="chart-in-flight" data-series="in-flight" points=""/><polyline id="chart-processing" data-series="processing" points=""/></svg>
  </div>
  <div class="card">
    <h2>Watermark lag</h2>
    <p class="figure" id="lag">–</p>
    <p class="sub" id="lag-sub">now − output watermark</p>
    <svg data-chart="lag" viewBox="0 0 240 64" preserveAspectRatio="none" role="img" aria-label="watermark lag over time"><polyline id="chart-lag" data-series="lag" points=""/></svg>
  </div>
</section>
<dl class="totals">
  <div><dt>Done</dt><dd id="done">–</dd></div>
  <div><dt>Failed</dt><dd id="failed">–</dd></div>
  <div><dt>Records</dt><dd id="records">–</dd></div>
  <div><dt>Elapsed</dt><dd id="elapsed">–</dd></div>
</dl>
<p class="about">Records come back from <code>tidemark serve</code> over this page's WebSocket (<code>connectEngine</code> from <code>@tidemark/engine/client</code>); the figures are the engine's as of its last answer. Done counts the messages that came back with a record. The engine stamps each message's event time when it reads it, so the watermark lag is how long the oldest unfinished message has been in the engine (by this browser's clock: on another machine, the clocks' offset adds in).</p>
</main>
</body>
</html>
`;

/**
 * The page's Content-Security-Policy: scripts from this server only, the
 * inline stylesheet by its hash, connections (the WebSocket) to this server
 * only, nothing framed, posted or fetched from elsewhere.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
