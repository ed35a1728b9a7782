// One session of `pnpm bench:nats`: N engine processes on one durable
// consumer of a fresh stream. First the throughput: a pre-loaded backlog,
// released once every process is pulling, timed to the last output the sink
// stream stored. Then, the same processes warm, the latency: a paced
// producer, each message's sink-stored time minus its source-stored time.
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { within } from '@tidemark/engine/workload';
import { percentile } from './distribution.js';
import { cpuMs, killEngines, startEngines } from './nats-processes.js';
import type { EngineProcess, EngineSettings } from './nats-processes.js';
import { closeGate, gatedStreams, openGate, publishBacklog, publishPaced, readStored, sessionNames, whenPulling, whenStored } from './nats-streams.js';
import type { StoredMessage } from './nats-streams.js';
import { natsPayloads } from './nats-workload.js';
import type { NatsWorkloadName } from './nats-workload.js';

/** What the sessions share: one server, one connection, how the engines run. */
export interface SessionContext {
  readonly url: string;
  /** nats-server's pid, for its CPU time. */
  readonly serverPid: number;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly engine: EngineSettings;
}

/** What one session runs. */
export interface SessionSpec {
  readonly workload: NatsWorkloadName;
  readonly processes: number;
  /** The round (-1: the uncounted warm-up) and the place in it. */
  readonly round: number;
  readonly position: number;
  /** Backlog messages. */
  readonly messages: number;
  /** Seconds of paced publishing after the backlog; 0 for none. */
  readonly pacedSeconds: number;
  /** msg/s of the paced producer; `half`: half this session's own backlog msg/s. */
  readonly rate: number | 'half';
  readonly seed: number;
}

/** One session's figures. */
export interface NatsSession {
  readonly workload: NatsWorkloadName;
  readonly processes: number;
  readonly round: number;
  readonly position: number;
  readonly messages: number;
  /** From lifting the gate (the bench's clock) to the last backlog output stored in the sink stream (the server's clock, same host). */
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** CPU ms per 1,000 backlog messages of nats-server, and of the engine processes together, from lifting the gate until the sink held the backlog. */
  readonly brokerCpuMsPer1k: number;
  readonly enginesCpuMsPer1k: number;
  /** Their CPU time together over the backlog's wall time: how many cores they kept busy. */
  readonly coresBusy: number;
  /** Each process's share of the backlog's outputs (fractions, p0 first). */
  readonly shares: readonly number[];
  /** Paced messages, their target rate, and the rate the producer kept. */
  readonly paced: number;
  readonly rate: number;
  readonly achievedRate: number;
  /** Sink-stored minus source-stored time of the paced messages, ms (nearest rank). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Bound on each wait of a session: a wedged one fails naming what it waited for. */
const waitLimitMs = 120_000;

/** Runs session `k` (its streams are named after it, and deleted at the end). */
export async function runSession(context: SessionContext, spec: SessionSpec, k: number): Promise<NatsSession> {
  const { nc, js, jsm } = context;
  const names = sessionNames(k);
  let engines: EngineProcess[] = [];
  let exitsExpected = false;
  try {
    const gate = await gatedStreams(js, jsm, names);
    await publishBacklog(js, names.subject, natsPayloads(spec.workload, 0, spec.messages, spec.seed));
    engines = startEngines(spec.processes, { url: context.url, stream: names.stream, consumer: names.consumer, sinkSubject: names.sinkSubject }, context.engine);
    const died = Promise.race(
      engines.map((engine) =>
        engine.exit.then((code) => {
          if (!exitsExpected) throw new Error(`engine process ${engine.name} exited with ${code} mid-session:\n${engine.stderr()}`);
          return new Promise<never>(() => {});
        }),
      ),
    );
    void died.catch(() => {}); // handled where it is raced; a session that failed otherwise kills them itself
    const guarded = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, died]);

    await guarded(whenPulling(await js.consumers.get(names.stream, names.consumer), spec.processes, waitLimitMs));
    const enginesCpu = () => engines.reduce((sum, e) => sum + cpuMs(e.child.pid), 0);
    const cpuBefore = { broker: cpuMs(context.serverPid), engines: enginesCpu() };
    const releasedAt = Date.now();
    await openGate(jsm, names);
    await guarded(whenStored(jsm, names.sinkStream, spec.messages, waitLimitMs + spec.messages * 10));
    const cpuAfter = { broker: cpuMs(context.serverPid), engines: enginesCpu() };
    const lastAt = Date.parse((await jsm.streams.info(names.sinkStream)).state.last_ts);

    const rate = spec.rate === 'half' ? spec.messages / ((lastAt - releasedAt) / 1000) / 2 : spec.rate;
    const paced = Math.round(rate * spec.pacedSeconds);
    let pacedSeconds = 0;
    if (paced > 0) {
      pacedSeconds = await guarded(publishPaced(nc, names.subject, natsPayloads(spec.workload, spec.messages, paced, spec.seed), rate));
      await guarded(whenStored(jsm, names.sinkStream, spec.messages + paced, waitLimitMs));
    }
    exitsExpected = true;
    await closeGate(nc, gate);
    const codes = await within(Promise.all(engines.map((e) => e.exit)), 'the engine processes to drain and exit', waitLimitMs);
    codes.forEach((code, i) => {
      if (code !== 0) throw new Error(`engine process p${i} exited with ${code}:\n${engines[i]?.stderr()}`);
    });

    const sink = await readStored(js, jsm, names.sinkStream);
    const source = await readStored(js, jsm, names.stream);
    checkOnce(sink, source, spec.messages + paced);
    const firstPaced = spec.messages + 2; // the gate is sequence 1, the backlog 2 to messages + 1
    const backlogEnd = Math.max(...sink.filter((m) => m.sourceSeq < firstPaced).map((m) => m.storedAt));
    const seconds = (backlogEnd - releasedAt) / 1000;
    const storedAt = new Map(source.map((m) => [m.seq, m.storedAt]));
    const latencies = sink.filter((m) => m.sourceSeq >= firstPaced).map((m) => m.storedAt - (storedAt.get(m.sourceSeq) as number));
    latencies.sort((a, b) => a - b);
    const perK = (ms: number) => (ms / spec.messages) * 1000;
    return {
      workload: spec.workload,
      processes: spec.processes,
      round: spec.round,
      position: spec.position,
      messages: spec.messages,
      seconds,
      messagesPerSecond: spec.messages / seconds,
      brokerCpuMsPer1k: perK(cpuAfter.broker - cpuBefore.broker),
      enginesCpuMsPer1k: perK(cpuAfter.engines - cpuBefore.engines),
      coresBusy: (cpuAfter.broker - cpuBefore.broker + cpuAfter.engines - cpuBefore.engines) / (seconds * 1000),
      shares: engines.map((e) => sink.filter((m) => m.sourceSeq < firstPaced && m.processor === e.name).length / spec.messages),
      paced,
      rate,
      achievedRate: paced > 0 ? paced / pacedSeconds : Number.NaN,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies.at(-1) ?? Number.NaN,
    };
  } finally {
    exitsExpected = true;
    killEngines(engines);
    await jsm.streams.delete(names.stream).catch(() => {});
    await jsm.streams.delete(names.sinkStream).catch(() => {});
  }
}

/** The sink holds exactly one output per message (the gate aside), and the source every message: nothing lost, nothing twice. */
function checkOnce(sink: readonly StoredMessage[], source: readonly StoredMessage[], expected: number): void {
  if (source.length !== expected + 1) throw new Error(`the source stream holds ${source.length} messages, not ${expected + 1}: a paced publish was lost`);
  const seqs = new Set(sink.map((m) => m.sourceSeq));
  if (sink.length !== expected || seqs.size !== expected || seqs.has(1)) {
    throw new Error(`the sink stream holds ${sink.length} outputs of ${seqs.size} messages, not one of each of the ${expected}`);
  }
}
