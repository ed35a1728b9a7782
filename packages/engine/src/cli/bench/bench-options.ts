import { Option } from 'commander';
import type { Command } from 'commander';
import { distributionNames } from '../../workload/distributions.js';
import { benchCommand } from './bench-command.js';
import { concurrencyList, modeList } from './bench-list.js';
import { checkReport } from './bench-report-file.js';
import type { BenchOptions } from './bench-workload.js';
import { checkInput } from '../input-file.js';
import { integer, maxTimerMs, milliseconds } from '../parse.js';
import { UsageError } from '../usage-error.js';

/** The in-flight targets a bench of a user's transform runs without `--concurrency`. */
export const defaultTransformConcurrency = '8,32,128';
/** The built-in workload's, today's demo: one concurrency, so that `pnpm start` takes seconds. */
export const defaultWorkloadConcurrency = '32';

/** What commander parses; lists stay text until {@link benchOptions} checks them. */
interface BenchFlags extends Omit<BenchOptions, 'concurrency' | 'modes' | 'report'> {
  concurrency?: string;
  modes: string;
  report?: string | false;
}

/** The built-in workload's flags, which mean nothing with `--transform`. */
const workloadFlags = { family: '--family', distribution: '--distribution', messages: '--messages', meanMs: '--mean-ms', seed: '--seed' } as const;

/**
 * `tidemark bench` (and its alias `tidemark demo`): a user's transform over
 * an NDJSON input with `--transform` and `--input`, or else the built-in
 * seeded latency-skew workload, at every concurrency in every mode.
 */
export function addBenchCommand(program: Command): Command {
  return program
    .command('bench')
    .alias('demo')
    .description(
      'Run a transform over an NDJSON input (or, without --transform, the built-in seeded latency-skewed workload) ' +
        'at each concurrency in each mode, one after another in this process, print a table with the best setting marked, ' +
        'and write an HTML report.',
    )
    .option('--transform <module>', 'transform module to bench (its default export is (value, ctx) => output); needs --input')
    .option('--input <file>', "NDJSON records {value, key?} to run it on, read once into memory: a file, or '-' for stdin; needs --transform")
    .option('--concurrency <list>', `comma-separated messages in flight (and batch sizes), one setting each (default: ${defaultTransformConcurrency}; ${defaultWorkloadConcurrency} for the built-in workload)`)
    .option('--modes <list>', 'comma-separated modes to run: async, batch', 'async,batch')
    .option('--threads <n>', 'worker threads (default: the core count; for the blocking family, the concurrency)', integer(1))
    .option('--ordered', 'emit outputs in input order (with --transform)')
    .option(
      '--timeout <ms>',
      'ms one try may take; past it the try fails with a TimeoutError and is retried, then the record fails (with --transform; default: 0, no limit). ' +
        'A transform that can hang needs it: without it a record that never settles keeps its setting running for good',
      milliseconds,
    )
    .option('--repeat <n>', 'runs of each setting, in alternating order; the table shows their medians', integer(1), 1)
    .addOption(
      new Option('--family <family>', 'built-in workload: how the transform spends its time').choices(['await', 'blocking', 'cpu']).default('await'),
    )
    .addOption(new Option('--distribution <name>', 'built-in workload: latency distribution').choices(distributionNames).default('lognormal'))
    .option('--messages <n>', 'built-in workload: messages per run', integer(1), 3200)
    .option('--mean-ms <ms>', `built-in workload: mean latency per message, up to ${maxTimerMs}`, milliseconds, 10)
    .option('--seed <n>', 'built-in workload: seed of the latencies', integer(0), 42)
    .option('--json', 'print the results as JSON instead of a table')
    .option('--quiet', 'print only the results: no progress or log lines on stderr')
    .option('--report <file>', 'where to write the self-contained HTML report (default: tidemark-bench-report.html; tidemark-demo-report.html for the built-in workload)')
    .option('--no-report', 'write no HTML report')
    .action(async (flags: BenchFlags, command: Command) => {
      await benchCommand(benchOptions(flags, command));
    });
}

/** The flags checked and resolved: one-line usage errors (exit 2) naming the flag, before anything runs. */
function benchOptions(flags: BenchFlags, command: Command): BenchOptions {
  const { concurrency, modes, report, ...rest } = flags;
  if (flags.transform !== undefined && flags.input === undefined) {
    throw new UsageError('--transform: needs --input <file>, the NDJSON records to run the transform on');
  }
  if (flags.input !== undefined && flags.transform === undefined) {
    throw new UsageError('--input: needs --transform <module>, the transform to run on it (without both, bench runs the built-in workload)');
  }
  const custom = flags.transform !== undefined;
  if (custom) {
    for (const [key, flag] of Object.entries(workloadFlags)) {
      if (command.getOptionValueSource(key) === 'cli') throw new UsageError(`${flag}: applies to the built-in workload only, not with --transform`);
    }
  } else if (flags.ordered === true) {
    throw new UsageError('--ordered: applies with --transform only (the built-in workload measures unordered outputs)');
  } else if (flags.timeout !== undefined) {
    throw new UsageError('--timeout: applies with --transform only (the built-in workload\'s transform always settles)');
  }
  const checked = {
    concurrency: concurrencyList(concurrency ?? (custom ? defaultTransformConcurrency : defaultWorkloadConcurrency)),
    modes: modeList(modes),
  };
  // Before the input is read or anything runs (the engine options are checked next, in benchCommand).
  if (flags.input !== undefined) checkInput(flags.input);
  const defaultReport = custom ? 'tidemark-bench-report.html' : 'tidemark-demo-report.html';
  const file = report === false ? false : (report ?? defaultReport);
  if (file !== false) checkReport(file, { input: flags.input, transform: flags.transform });
  return { ...rest, ...checked, report: file };
}
