/**
 * The live page's script: lists the transforms the server serves, starts a
 * run of the page's skewed source on the one chosen, and draws its figures
 * every 250 ms until it is over. Stop aborts the run's signal: the engine
 * stops reading and what is in flight still comes back.
 */
import type * as Client from '../../../client/index.js';
import { byId, page, show } from './page-dom.js';
import type { PageControl, PageElement } from './page-dom.js';
import { openSocket, serverUrl } from './open-socket.js';
import { PageRun, shownError } from './page-run.js';
import type { RunSettings } from './page-run.js';
import { errorText, renderRun, sampleRun } from './render-run.js';
import { RunMeter } from './run-meter.js';

/** The transform chosen first when the server serves it. */
const DEMO_TRANSFORM = 'page-skewed.mjs';
/** How often the figures are drawn. */
const FRAME_MS = 250;
/** A variable, so that tsc leaves the bundle's absolute URL for the browser to resolve. */
const CLIENT_URL: string = '/tidemark-client.js';

const root = byId('live');
const form = byId('run-form');
const transform = byId<PageControl>('transform');
const start = byId<PageControl>('start');
const stop = byId<PageControl>('stop');

function fail(error: unknown): void {
  root.dataset.state = 'error';
  const shown = byId('error');
  show(shown, errorText(shownError(error)));
  shown.hidden = false;
}

/** The form's settings; throws a RangeError naming a field that holds no valid value. */
function settings(): RunSettings {
  const read = (id: string, integer: boolean, min: number, optional = false): number | undefined => {
    const text = byId<PageControl>(id).value.trim();
    if (optional && text === '') return undefined;
    const value = Number(text);
    if (text === '' || !(value >= min) || (integer && !Number.isSafeInteger(value))) {
      throw new RangeError(`${id} must be ${integer ? 'an integer' : 'a number'} from ${min} up, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  return {
    transform: transform.value,
    count: read('count', true, 1) ?? 1,
    concurrency: read('concurrency', true, 1) ?? 1,
    threads: read('threads', true, 1, true),
    meanMs: read('mean-ms', false, 0) ?? 0,
    seed: read('seed', true, Number.MIN_SAFE_INTEGER) ?? 0,
  };
}

/** What the Stop button does while a run is on. */
let stopListener: (() => void) | undefined;

function startRun(client: typeof Client, url: string): void {
  const run = new PageRun(client, url, settings());
  const meter = new RunMeter();
  const frame = (): void => {
    sampleRun(run, meter);
    renderRun(run, meter, root);
  };
  start.disabled = true;
  stop.disabled = false;
  const onStop = (): void => {
    stop.disabled = true;
    run.stop();
    frame();
  };
  stopListener = onStop;
  frame();
  const timer = page.setInterval(frame, FRAME_MS);
  void run.finished.then(() => {
    page.clearInterval(timer);
    frame();
    stopListener = undefined;
    start.disabled = false;
    stop.disabled = true;
  });
}

async function main(): Promise<void> {
  const client = (await import(CLIENT_URL)) as typeof Client;
  const url = serverUrl();
  show(byId('server'), `serving ${url.replace(/\?.*$/, '')}`);
  const names = await client.listTransforms(client.webSocketEndpoint(await openSocket(url)));
  transform.replaceChildren(...names.map((name): PageElement => {
    const option = page.document.createElement('option');
    option.value = name;
    option.textContent = name;
    return option;
  }));
  if (names.includes(DEMO_TRANSFORM)) transform.value = DEMO_TRANSFORM;
  if (names.length === 0) {
    show(byId('state-text'), 'This server serves no transforms: put modules in its --transforms folder.');
    return;
  }
  show(byId('state-text'), `${names.length} transform${names.length === 1 ? '' : 's'} served. Choose one and start a run.`);
  root.dataset.state = 'ready';
  start.disabled = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      byId('error').hidden = true;
      startRun(client, url);
    } catch (error) {
      fail(error);
    }
  });
  stop.addEventListener('click', () => stopListener?.());
}

main().catch(fail);
