// The overhead benchmark's remote-engine section: starts `tidemark serve` on the section's
// transforms, runs the three contenders on both workloads (overhead-remote-run.ts), stops the
// server, and gives the table, the checks, and the JSON.
import type { Check } from './check.js';
import { checkTable } from './check.js';
import { remoteChecks, remoteMessageCounts, remoteRows, remoteTable } from './overhead-remote.js';
import type { RemoteRow, RemoteRun } from './overhead-remote.js';
import { remoteContenders, remoteTransforms, remoteWorkloads, runRemote } from './overhead-remote-run.js';
import { startServe } from './overhead-serve.js';

/** Runs of each contender per workload: odd, so that the median is one of them. */
export const remoteRepeats = 5;

/** The section's Markdown, JSON and checks, from `--messages` and the thread count. */
export async function remoteSection(
  messages: number,
  threads: number,
  progress: (line: string) => void,
): Promise<{ markdown: string; json: { remote: object }; checks: Check[] }> {
  const workloads = remoteWorkloads(remoteMessageCounts(messages), threads);
  let runs: RemoteRun[];
  {
    await using server = await startServe(remoteTransforms);
    progress(`remote: tidemark serve at ${server.url}`);
    runs = await runRemote(remoteContenders(server.url), workloads, { repeats: remoteRepeats, threads }, progress);
  }
  const rows: RemoteRow[] = remoteRows(runs);
  const checks = remoteChecks(rows);
  const fmt = (n: number) => n.toLocaleString('en');
  const described = workloads
    .map((w) => `**${w.name}**: ${fmt(w.messages)} messages at ${w.concurrency} in flight (warm-up ${fmt(w.warmup)}), ${w.describe}`)
    .join('; ');
  const markdown = `## Remote engines against the in-process one (${threads} threads, ring transport)

The in-process \`Engine\`, \`spawnEngine\` (the engine in a worker thread of its own) and \`tidemark serve\` (a child process, this build's CLI) over WebSocket on loopback from this Node process (\`ws\`, \`connectEngine\` from \`@tidemark/engine/client\`), with the same options and the same host-side source: ${described}. Each contender's engine (for the server, its connection) is opened once per workload, warmed up, and kept for its runs, as a long-lived engine is used, and one untimed round of every contender comes first; ${remoteRepeats} runs each, the order reversed every other run; every output checked (each offset once, the value right). msg/s is the messages over the time from the source's first yield to the last record taken; p99 is of each message's time from its yield to its record, on the host; most ahead is the most messages the source had yielded whose records the consumer had not taken yet (what waits between the two: the engine's own input buffer and in-flight count, and for a remote engine what its host feed and its answers hold). The ratios divide the row's medians by the in-process engine's.

${remoteTable(rows)}

spawnEngine against the in-process engine:

${checkTable(checks)}
`;
  const json = {
    remote: {
      repeats: remoteRepeats,
      workloads: workloads.map(({ values: _values, ...w }) => w),
      runs,
      rows,
      checks,
    },
  };
  return { markdown, json, checks };
}
