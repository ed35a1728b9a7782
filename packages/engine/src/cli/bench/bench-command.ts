import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import type { BenchRun } from '../../bench/bench-run.js';
import { benchSettings, settingName } from '../../bench/bench-run.js';
import { bestSetting } from '../../bench/best-setting.js';
import { BenchRuns, runBench } from '../../bench/run-bench.js';
import type { BenchStep, SettingRuns } from '../../bench/run-bench.js';
import { plural } from '../../report/format.js';
import { renderBenchReport } from '../../report/index.js';
import { cannotWrite } from '../output-files.js';
import { Progress } from '../progress.js';
import { checkSettings } from './bench-flags.js';
import { resultsJson, resultsText } from './bench-results.js';
import { BenchStop } from './bench-stop.js';
import type { StopSignal } from './bench-stop.js';
import type { BenchOptions, BenchWorkload, Log } from './bench-workload.js';
import { demoPlan } from './demo-command.js';
import { transformPlan } from './transform-workload.js';

/**
 * `tidemark bench`: every setting (each concurrency in each mode) on a fresh
 * engine, one after another in this process, `repeat` times in alternating
 * order; then the table of medians with the best setting marked and why,
 * and the HTML report. Progress on stderr (which setting, n of N) unless quiet.
 *
 * Every setting's engine options are checked before anything is read. The
 * results are printed before the report is written, so a report that cannot
 * be written loses only itself. SIGINT or SIGTERM stops the setting running
 * (see {@link BenchStop}): the settings finished so far are printed, no
 * report is written (it would pass for a whole bench), and the exit status
 * is 130 or 143.
 */
export async function benchCommand(options: BenchOptions): Promise<void> {
  const quiet = options.quiet === true;
  const log: Log = quiet ? () => {} : (line) => process.stderr.write(`${line}\n`);
  const settings = benchSettings(options.concurrency, options.modes);
  const plan = options.transform === undefined ? demoPlan(options, log) : transformPlan(options);
  checkSettings(settings, (setting) => plan.engineOptions(setting));

  const runs = new BenchRuns<BenchRun>(settings);
  let workload: BenchWorkload | undefined;
  let cutting: BenchStep | undefined;
  const print = (finished: readonly SettingRuns<BenchRun>[], stopped?: { by: StopSignal; cut: BenchStep | undefined }) => {
    const stopLine = stopped === undefined ? undefined : stopLineOf(stopped, finished.length, settings.length, options);
    const best = finished.length === 0 ? undefined : bestSetting(finished.map((s) => s.median));
    if (options.json === true) {
      process.stdout.write(resultsJson(finished, best, options.repeat));
      if (stopLine !== undefined) process.stderr.write(`tidemark: ${stopLine}\n`);
    } else if (workload === undefined || finished.length === 0) {
      if (stopLine !== undefined) process.stdout.write(`${stopLine}\n`);
    } else {
      process.stdout.write(resultsText(finished, best, workload, { repeat: options.repeat, messages: workload.messages, ...(stopLine === undefined ? {} : { stopped: stopLine }) }));
    }
    return best;
  };
  // A second signal: the setting cut short has messages that do not finish (a transform that hangs).
  const stop = new BenchStop((by, code) => {
    print(runs.finished(), { by, cut: cutting });
    process.exit(code);
  }).listen();
  try {
    workload = await plan.prepare(stop.signal);
    if (workload === undefined || stop.by !== undefined) {
      print([], { by: stop.by ?? 'SIGINT', cut: undefined });
      process.exitCode = stop.exitCode;
      return;
    }
    const running = workload;
    const machine = `${cpus()[0]?.model ?? 'cpu'} x${availableParallelism()}, Node ${process.version}`;
    const each = options.repeat === 1 ? '1 run each' : `${options.repeat} runs each, in alternating order`;
    log(`${running.header}; ${plural(settings.length, 'setting')}, ${each}; ${machine}`);
    const result = await runBench(
      settings,
      options.repeat,
      async (setting, step, signal) => {
        let progress: Progress | undefined;
        try {
          return await running.run(setting, step, {
            signal,
            measuring: (engine) => {
              progress = new Progress(engine, { total: running.messages, label: `  ${settingName(setting)}`, quiet }).start();
            },
          });
        } finally {
          progress?.stop();
        }
      },
      {
        signal: stop.signal,
        starting: (step) => {
          cutting = step;
          stop.running = settingName(step.setting) + runOf(step, options.repeat);
          log(`  [${step.step}/${step.steps}] ${settingName(step.setting)}${runOf(step, options.repeat)}...`);
        },
        finished: (step, run) => {
          cutting = undefined;
          stop.running = undefined;
          log(
            `  [${step.step}/${step.steps}] ${settingName(step.setting)}: ${run.wallThroughput.toFixed(0)} wall msg/s, ` +
              `p99 ${run.latencyP99.toFixed(1)} ms, ${run.seconds.toFixed(2)} s`,
          );
        },
      },
      runs,
    );
    const by = stop.by;
    const best = print(result.settings, by === undefined ? undefined : { by, cut: result.cut });
    if (by !== undefined) {
      process.exitCode = stop.exitCode;
      return;
    }
    if (options.report !== false && best !== undefined) {
      const html = renderBenchReport({
        title: running.title,
        machine: `${machine}, ${new Date().toISOString()}`,
        workload: running.description,
        runs: result.settings.map((s) => s.median),
        best,
        repeat: options.repeat,
        notes: running.reportNotes(result.settings.map((s) => s.median)),
      });
      try {
        await writeFile(options.report, html);
      } catch (error) {
        throw cannotWrite('--report', options.report, error);
      }
      log(`  report: ${resolve(options.report)}`);
    }
  } finally {
    stop.close();
  }
}

/** The line that says a signal stopped the bench, which setting it cut, and what the table holds. */
function stopLineOf(
  { by, cut }: { by: StopSignal; cut: BenchStep | undefined },
  finished: number,
  settings: number,
  options: Pick<BenchOptions, 'repeat' | 'report'>,
): string {
  const during = cut === undefined ? (finished === 0 ? ' before any setting ran' : ' between settings') : ` during ${settingName(cut.setting)}${runOf(cut, options.repeat)}`;
  const holds = finished === 0 ? 'no setting finished' : `the table holds the ${plural(finished, 'setting')} of ${settings} that finished before it`;
  return `Stopped by ${by}${during}: ${holds}${options.report === false ? '' : '; no report was written'}.`;
}

function runOf(step: BenchStep, repeat: number): string {
  return repeat === 1 ? '' : ` (run ${step.repeat + 1} of ${repeat})`;
}
