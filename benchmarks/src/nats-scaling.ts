// `pnpm bench:nats`: 1, 2 and 3 engine processes (`tidemark run --source
// nats://…`) sharing one durable consumer of one JetStream stream, on a real
// nats-server on this machine. Each session: a backlog drained (throughput),
// then a paced producer (latency). Rounds alternate the order of the process
// counts; the tables show medians and each over one process. Prints Markdown,
// writes nats.json and nats.md; exits 1 when a session fails (a message lost
// or doubled, a process that died), 2 on bad arguments.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '@tidemark/engine/workload';
import { benchArgs } from './cli-args.js';
import { roundOrder } from './gzip-summary.js';
import { machine } from './machine.js';
import { runSession } from './nats-session.js';
import type { NatsSession, SessionContext, SessionSpec } from './nats-session.js';
import { latencyTable, natsRows, throughputTable } from './nats-summary.js';
import { describeWorkload, natsWorkloadNames } from './nats-workload.js';
import type { NatsWorkloadName } from './nats-workload.js';

const usage = `pnpm bench:nats [-- options]
  --messages <n>        backlog per session (default 10000)
  --paced-seconds <s>   seconds of paced publishing per session, for the latency (default 3; 0: none)
  --rate <msg/s>        the paced rate (default: half of 1 process's backlog msg/s in the first round, per workload)
  --rounds <n>          rounds, the order of the process counts reversed every other one (default 3)
  --processes <a,b>     process counts, 1 among them (default 1,2,3)
  --workloads <a,b>     ${natsWorkloadNames.join(',')} (default trivial,await,cpu)
  --threads <n>         worker threads per engine process (default 1)
  --concurrency <n>     messages in flight per engine process (default 64)
  --seed <n>            seed of the skewed work (default 42)
  --out <dir>           where nats.json and nats.md go (default benchmarks/results)`;

const { values } = parseArgs({
  args: benchArgs(),
  options: {
    messages: { type: 'string', default: '10000' },
    'paced-seconds': { type: 'string', default: '3' },
    rate: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    processes: { type: 'string', default: '1,2,3' },
    workloads: { type: 'string', default: 'trivial,await,cpu' },
    threads: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: new URL('../results', import.meta.url).pathname },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const int = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);
const messages = int(values.messages);
const pacedSeconds = Number(values['paced-seconds']);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const rounds = int(values.rounds);
const processCounts = [...new Set(values.processes.split(',').map(int))].sort((a, b) => a - b);
const workloads = values.workloads.split(',') as NatsWorkloadName[];
const threads = int(values.threads);
const concurrency = int(values.concurrency);
const seed = int(values.seed);
const bad =
  (!(messages >= 10) ? `--messages ${values.messages} (an integer from 10)` : undefined) ??
  (!(pacedSeconds >= 0) ? `--paced-seconds ${values['paced-seconds']}` : undefined) ??
  (rate !== undefined && !(rate > 0) ? `--rate ${values.rate}` : undefined) ??
  (!(rounds >= 1) ? `--rounds ${values.rounds}` : undefined) ??
  (!processCounts.every((n) => n >= 1) || processCounts[0] !== 1 ? `--processes ${values.processes} (counts from 1, 1 among them)` : undefined) ??
  (workloads.some((w) => !natsWorkloadNames.includes(w)) ? `--workloads ${values.workloads}` : undefined) ??
  (!(threads >= 1) ? `--threads ${values.threads}` : undefined) ??
  (!(concurrency >= 1) ? `--concurrency ${values.concurrency}` : undefined) ??
  (!Number.isInteger(seed) ? `--seed ${values.seed}` : undefined);
if (bad !== undefined) {
  console.error(`bench:nats: invalid ${bad}\n${usage}`);
  process.exit(2);
}

const host = machine();
const progress = (line: string) => console.error(`  ${line}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const loadBefore = loadavg()[0] ?? Number.NaN;
const server = await startNatsServer();
const nc = await connect({ servers: server.url });
const context: SessionContext = { url: server.url, serverPid: server.pid, nc, js: jetstream(nc), jsm: await jetstreamManager(nc), engine: { threads, concurrency } };
const serverVersion = nc.info?.version ?? 'unknown';
const sessions: NatsSession[] = [];
const rates = new Map<NatsWorkloadName, number>();
let failure: unknown;
try {
  let k = 0;
  // Uncounted: the first session of a fresh server (its store, its JetStream API, this process's client) was the slow one.
  const warm = await runSession(context, { workload: workloads[0] as NatsWorkloadName, processes: 1, round: -1, position: 0, messages: Math.min(messages, 2000), pacedSeconds: 0, rate: 1, seed }, k++);
  progress(`warm-up: ${fmt(warm.messagesPerSecond)} msg/s (not counted)`);
  for (const workload of workloads) {
    for (let round = 0; round < rounds; round++) {
      // Round 0 runs 1 process first, so its backlog sets the paced rate for every later session of the workload.
      for (const [position, processes] of roundOrder(processCounts, round).entries()) {
        const spec: SessionSpec = { workload, processes, round, position, messages, pacedSeconds, rate: rate ?? rates.get(workload) ?? 'half', seed };
        const s = await runSession(context, spec, k++);
        if (!rates.has(workload)) rates.set(workload, s.rate);
        sessions.push(s);
        progress(
          `${workload} [${round + 1}/${rounds}] ${processes} process${processes === 1 ? '' : 'es'}: ${fmt(s.messagesPerSecond)} msg/s over ${s.seconds.toFixed(2)} s, ` +
            `shares ${s.shares.map((x) => `${Math.round(x * 100)}%`).join(' ')}; paced ${fmt(s.paced)} at ${fmt(s.rate)} msg/s (kept ${fmt(s.achievedRate)}): ` +
            `p50 ${s.p50Ms.toFixed(1)} ms, p99 ${s.p99Ms.toFixed(1)} ms`,
        );
      }
    }
  }
} catch (error) {
  failure = error;
} finally {
  await nc.close();
  await server.stop();
}
if (failure !== undefined) {
  console.error('bench:nats: a session failed:', failure);
  process.exit(1);
}

const loadAfter = loadavg()[0] ?? Number.NaN;
const rows = natsRows(sessions);
const latencySection = `## Latency: a paced producer, ${pacedSeconds} s per session

After the backlog, the same processes (now warm) get messages published at a fixed rate, ${rate === undefined ? 'half of what 1 process drained in the first round' : 'given by --rate'}, so the latency is the pipeline's and not a queue's. Latency of a message: the sink stream's stored time of its output minus the source stream's stored time of the message (both the server's clock); nearest-rank percentiles over all paced messages of a session, medians over the rounds.

${latencyTable(rows)}`;
const report = `# Tidemark on one JetStream stream: 1 to ${processCounts.at(-1)} engine processes

${host.cpu} x${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.date}; nats-server ${serverVersion} on 127.0.0.1 (file store); 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after

Each session: a fresh stream, one durable pull consumer shared by N \`tidemark run --source nats://…\` processes (${threads} worker thread${threads === 1 ? '' : 's'} and ${concurrency} messages in flight each, \`--exit-when-drained\`), outputs published to a sink stream with its duplicate window. ${rounds} round${rounds === 1 ? '' : 's'} per workload, the order of the process counts reversed every other round (1 2 3, 3 2 1, …); medians over the rounds, after one uncounted warm-up session.

Workloads (seeded, seed ${seed}, the same messages for every process count): ${workloads.map(describeWorkload).join('; ')}.

**On ${host.cores} cores this curve shows what sharing the stream costs, not a speed-up**: the N processes (each a main thread and its worker threads), nats-server and this bench share ${host.cores} cores, and every process adds its own connection, pull requests, acks and consumer polling. The CPU columns show where the time goes per message: in nats-server, and in the engine processes (the JetStream client's publishes, pub-acks, acks and pulls beside the engine's own work; this benchmark does not split the two); cores busy shows how close the two come to all ${host.cores} cores.

## Throughput: ${fmt(messages)} messages pre-loaded

The messages are stored before the processes start; the consumer holds them back (max_ack_pending 1, the one unacked message held by the bench) until every process has a pull request waiting, then lets go. Time: from lifting the gate (the bench's clock) to the last output stored in the sink stream (the server's stored timestamp; the same host clock). CPU: what the kernel counted for nats-server and for the engine processes from lifting the gate until the sink held the backlog, per 1,000 messages (/proc, 10 ms ticks); cores busy: the two together over the time. Share: how the backlog's outputs split over the processes (\`Tidemark-Processor\`).

${throughputTable(rows)}

${pacedSeconds === 0 ? 'No latency runs (--paced-seconds 0).' : latencySection}
`;
console.log(report);
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'nats.md'), report);
await writeFile(
  join(values.out, 'nats.json'),
  JSON.stringify({ machine: host, loadAverage: { before: loadBefore, after: loadAfter }, settings: { messages, pacedSeconds, rate: rate ?? Object.fromEntries(rates), rounds, processCounts, workloads, threads, concurrency, seed }, sessions, rows }, null, 2),
);
console.error(`nats.json and nats.md written to ${values.out}`);
