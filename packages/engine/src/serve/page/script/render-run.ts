import { byId, show } from './page-dom.js';
import type { PageElement } from './page-dom.js';
import type { PageRun, ShownError } from './page-run.js';
import type { RunMeter, RunSample } from './run-meter.js';
import { peak, sparklinePoints } from './sparkline.js';

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** `name [code]: message`. */
export function errorText(error: ShownError): string {
  return `${error.name}${error.code === undefined ? '' : ` [${error.code}]`}: ${error.message}`;
}

/** Take a look at `run` now: its counts and its engine's figures, as of the engine's last answer. */
export function sampleRun(run: PageRun, meter: RunMeter): RunSample {
  const engine = run.engine;
  const lagMs = Number.isFinite(run.watermark) ? Math.max(0, Date.now() - run.watermark) : undefined;
  return meter.add({
    at: run.endedAt ?? performance.now(),
    done: run.done,
    inFlight: engine?.inFlight ?? 0,
    processing: engine?.processing ?? 0,
    concurrency: engine?.concurrency ?? run.settings.concurrency,
    lagMs,
  });
}

/** Draw `run` and its meter's samples into the page. */
export function renderRun(run: PageRun, meter: RunMeter, root: PageElement): void {
  const sample = meter.last;
  if (sample === undefined) return;
  const seconds = ((run.endedAt ?? performance.now()) - run.startedAt) / 1000;
  const { count } = run.settings;

  show(byId('throughput'), `${number.format(sample.throughput)} msg/s`, sample.throughput);
  show(byId('processing'), `${sample.processing} / ${sample.concurrency}`, sample.processing);
  show(byId('in-flight'), `at the workers / concurrency · ${number.format(sample.inFlight)} in flight`, sample.inFlight);
  show(byId('lag'), sample.lagMs === undefined ? '–' : `${number.format(sample.lagMs)} ms`, sample.lagMs);
  show(byId('done'), `${number.format(run.done)} / ${number.format(count)}`, run.done);
  show(byId('failed'), number.format(run.failed), run.failed);
  show(byId('records'), number.format(run.records), run.records);
  show(byId('elapsed'), `${decimal.format(seconds)} s`, seconds);

  const samples = meter.samples;
  const throughput = samples.map((s) => s.throughput);
  line('throughput', sparklinePoints(throughput, peak(throughput)));
  const inFlightMax = peak([...samples.map((s) => s.inFlight), sample.concurrency]) * 1.05;
  line('target', sparklinePoints(samples.map((s) => s.concurrency), inFlightMax));
  line('in-flight', sparklinePoints(samples.map((s) => s.inFlight), inFlightMax));
  line('processing', sparklinePoints(samples.map((s) => s.processing), inFlightMax));
  const lags = samples.map((s) => s.lagMs);
  line('lag', sparklinePoints(lags, peak(lags)));
  show(byId('lag-sub'), `now − output watermark · peak ${number.format(peak(lags, 0))} ms`);

  root.dataset.state = run.state;
  const stateText = byId('state-text');
  const name = run.settings.transform;
  const average = seconds > 0 ? run.done / seconds : 0;
  const failed = run.failed === 0 ? 'none failed' : `${number.format(run.failed)} failed`;
  if (run.state === 'connecting') show(stateText, `Connecting an engine for ${name}…`);
  else if (run.state === 'running' || run.state === 'stopping') {
    show(stateText, `${run.state === 'running' ? 'Running' : 'Stopping'} ${name}: ${number.format(run.done)} of ${number.format(count)} messages back`);
  } else if (run.state === 'done') {
    show(stateText, `Done: ${number.format(run.done)} of ${number.format(count)} messages through ${name} in ${decimal.format(seconds)} s (${number.format(average)} msg/s), ${failed}.`);
  } else if (run.state === 'stopped') {
    show(stateText, `Stopped: ${number.format(run.done)} of ${number.format(count)} messages back in ${decimal.format(seconds)} s, ${failed}.`);
  } else show(stateText, `The run ended with an error after ${number.format(run.done)} of ${number.format(count)} messages.`);

  const shown = byId('error');
  const failure = run.lastFailure === undefined ? '' : `last failure: ${errorText(run.lastFailure)}`;
  const text = run.error === undefined ? failure : errorText(run.error);
  show(shown, text);
  shown.hidden = text === '';
}

function line(series: string, points: string): void {
  const element = byId(`chart-${series}`);
  element.setAttribute('points', points);
}
