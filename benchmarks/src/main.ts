import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distributionNames, renderReport, skewTable } from '@tidemark/engine/workload';
import type { DistributionName, SkewFamily } from '@tidemark/engine/workload';
import { markdownTable } from 'markdown-table';
import { checkTable } from './check.js';
import { keyAssignments } from './keyed-workload.js';
import type { KeyAssignment } from './keyed-workload.js';
import { keyedPlan, keyedReport, runKeyedSuite } from './keyed-suite.js';
import { machine } from './machine.js';
import { skewChecks } from './skew-checks.js';
import { runSkewSuite } from './skew-suite.js';
import { runWatermarkBench } from './watermark-bench.js';
import { benchArgs } from './cli-args.js';

const usage = `pnpm bench [-- options]
  --suite <skew|watermark|keyed|all>  what to run (default all)
  --seconds <s>                       target async run time per skew scenario (default 1.5)
  --families <a,b>                    await,blocking,cpu (default all three)
  --distributions <a,b>               uniform,lognormal,pareto,bimodal (default all four)
  --seed <n>                          latency seed (default 42)
  --quick                             keyed: 1,000 messages, 3 repeats of 2 A/B pairs, speed bar not enforced
  --repeat <n>                        keyed: repeats, each 4 A/B pairs (unordered, 1,000 keys) then 100, 10, 1 key,
                                      the order reversed every other repeat (default 5, 3 with --quick)
  --keys <round-robin|random>         keyed: how messages get keys (default random, seeded)
  --out <dir>                         where JSON and Markdown go (default benchmarks/results)`;

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    suite: { type: 'string', default: 'all' },
    seconds: { type: 'string', default: '1.5' },
    families: { type: 'string', default: 'await,blocking,cpu' },
    distributions: { type: 'string', default: distributionNames.join(',') },
    seed: { type: 'string', default: '42' },
    quick: { type: 'boolean', default: false },
    repeat: { type: 'string' },
    keys: { type: 'string', default: 'random' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const families = values.families.split(',') as SkewFamily[];
const distributions = values.distributions.split(',') as DistributionName[];
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const repeat = values.repeat === undefined ? undefined : Number(values.repeat);
const bad =
  families.find((f) => !['await', 'blocking', 'cpu'].includes(f)) ??
  distributions.find((d) => !distributionNames.includes(d)) ??
  (!(seconds > 0) ? `--seconds ${values.seconds}` : undefined) ??
  (!Number.isInteger(seed) ? `--seed ${values.seed}` : undefined) ??
  (repeat !== undefined && !(Number.isInteger(repeat) && repeat >= 1) ? `--repeat ${values.repeat}` : undefined) ??
  (!(keyAssignments as readonly string[]).includes(values.keys) ? `--keys ${values.keys}` : undefined) ??
  (!['skew', 'watermark', 'keyed', 'all'].includes(values.suite) ? `--suite ${values.suite}` : undefined);
if (bad !== undefined) {
  console.error(`bench: invalid ${bad}\n${usage}`);
  process.exit(2);
}

const host = machine();
console.log(`# Tidemark benchmarks\n\n${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}\n`);
await mkdir(values.out, { recursive: true });

if (values.suite === 'watermark' || values.suite === 'all') {
  const results = await runWatermarkBench();
  const table = markdownTable([['operation', 'ops/s'], ...results.map((r) => [r.name, Math.round(r.opsPerSecond).toLocaleString('en')])], {
    align: ['l', 'r'],
  });
  console.log(`## Watermark tracker\n\n${table}\n`);
  await writeFile(join(values.out, 'watermark.json'), JSON.stringify({ machine: host, results }, null, 2));
}

if (values.suite === 'skew' || values.suite === 'all') {
  const results = await runSkewSuite({
    seconds,
    families,
    distributions,
    seed,
    onOracle: (s, oracle) =>
      console.error(`  oracle ${s.family} ${s.distribution} c${s.concurrency}: ${oracle.throughput.toFixed(0)} msg/s (${oracle.seconds.toFixed(1)} s)`),
    onResult: (r, done, total) =>
      console.error(
        `  [${done}/${total}] ${r.family} ${r.distribution} c${r.concurrency} ${r.mode}: ${r.throughput.toFixed(0)} msg/s, ` +
          `efficiency ${r.efficiency.toFixed(3)} of the oracle's ${r.oracleThroughput.toFixed(0)} (${r.seconds.toFixed(1)} s)`,
      ),
  });
  const checks = skewChecks(results);
  const table = skewTable(results);
  const checksText = checkTable(checks);
  const legend =
    'Efficiency is msg/s over the oracle msg/s: the same seeded latencies through an in-process, work-conserving executor ' +
    'with the same concurrency, waiting as the family\'s transform spends its latency, without threads (run in this process just before each scenario; ' +
    'async and batch share it). Worker busy share comes from the same worker timestamps as msg/s: not an independent check.';
  console.log(`## Latency skew: async vs batch\n\n${table}\n\n${legend}\n\n### Checks\n\n${checksText}\n`);
  await writeFile(join(values.out, 'skew.json'), JSON.stringify({ machine: host, results, checks }, null, 2));
  const machineLine = `${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}`;
  await writeFile(join(values.out, 'skew-report.html'), renderReport({ title: 'Tidemark latency skew: async vs batch', machine: machineLine, runs: results }));
  await writeFile(join(values.out, 'skew.md'), `${host.cpu} x${host.cores}, Node ${host.node}\n\n${table}\n\n${legend}\n\n${checksText}\n`);
  console.log(`JSON, Markdown and the HTML report (skew-report.html) written to ${values.out}`);
  if (checks.some((c) => !c.pass)) process.exitCode = 1;
}

if (values.suite === 'keyed' || values.suite === 'all') {
  const plan = keyedPlan({ quick: values.quick, repeat, seed, assignment: values.keys as KeyAssignment });
  const results = await runKeyedSuite(plan, (line) => console.error(`  keyed ${line}`));
  const report = keyedReport(results);
  console.log(`${report}\n`);
  await writeFile(join(values.out, 'keyed.json'), JSON.stringify({ machine: host, ...results }, null, 2));
  await writeFile(join(values.out, 'keyed.md'), `${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}\n\n${report}\n`);
  console.log(`keyed.json and keyed.md written to ${values.out}`);
  if (results.failed) process.exitCode = 1;
}
