import assert from 'node:assert/strict';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import type { Engine, EngineRecord, MessageTrace, Stage } from '../../src/index.js';
import { Gates } from './gates.js';
import { until } from './wait.js';
import { WatermarkModel } from './watermark-model.js';

/**
 * A run of the `gated.js` fixture driven one step at a time, so that the
 * test (its `choices`), never timing, decides the interleaving:
 *
 *   open     open the gate of one message at a worker; wait until it settled
 *   consume  the consumer takes the record it was handed and asks for the
 *            next (which acks the one before)
 *   resume   the source, stalled between two segments, goes on
 *
 * After each step the main thread is let run until nothing more happens
 * without the test (a turn of the event loop; while the source stalls,
 * also one `idleAfter` timer: armed after any the engine armed, with the
 * same delay, it fires after them). Then the engine's output watermark must
 * be what the model says for the messages in flight.
 */

/** A record as the consumer was handed it, with what the engine showed then. */
export interface Handover {
  readonly record: EngineRecord;
  /** `engine.watermark` when the record was handed over. */
  readonly watermark: number;
  /** Messages read by then. */
  readonly read: number;
  /** Stages of the messages in flight then. */
  readonly stages: readonly Stage[];
}

export type TimelineEvent =
  | { readonly kind: 'watermark'; readonly value: number }
  | { readonly kind: 'record'; readonly eventTime: number; readonly late: boolean };

export interface SteppedRunOptions {
  readonly engine: Engine;
  /**
   * Event times, segment by segment: the source gives a segment at once,
   * then stalls until a `resume` step; the last segment ends the source.
   */
  readonly segments: readonly (readonly number[])[];
  /** Which of the possible steps to take, in turn (cycled). */
  readonly choices: readonly number[];
  /** The engine's `watermark` options. */
  readonly maxOutOfOrderness: number;
  readonly idleAfter: number;
}

export interface SteppedRun {
  readonly eventTimes: readonly number[];
  readonly model: WatermarkModel;
  readonly handovers: readonly Handover[];
  /** The final trace of every acked message (handed over or dropped), by offset. */
  readonly acks: ReadonlyMap<number, MessageTrace>;
  readonly timeline: readonly TimelineEvent[];
  /** Stalls during which nothing was in flight, so that an idle advance was due. */
  readonly idleStalls: number;
}

type Step = { readonly kind: 'open'; readonly index: number } | { readonly kind: 'consume' } | { readonly kind: 'resume' };

export async function runStepped(options: SteppedRunOptions): Promise<SteppedRun> {
  const { engine, segments, choices, idleAfter } = options;
  const eventTimes = segments.flat();
  const gates = new Gates(eventTimes.length);
  const model = new WatermarkModel(options.maxOutOfOrderness);
  const acks = new Map<number, MessageTrace>();
  const timeline: TimelineEvent[] = [];
  const handovers: Handover[] = [];
  let read = 0;
  let stalled = false;
  let idled = false;
  let idleStalls = 0;
  let resume: () => void = () => {};

  async function* source() {
    for (const [s, segment] of segments.entries()) {
      for (const eventTime of segment) {
        model.read(eventTime);
        yield { ...gates.message(read++), eventTime };
      }
      if (s === segments.length - 1) return;
      await new Promise<void>((resolve) => {
        resume = resolve;
        stalled = true;
      });
    }
  }

  const onAck = (trace: MessageTrace) => acks.set(trace.offset, trace);
  const onWatermark = (value: number) => timeline.push({ kind: 'watermark', value });
  engine.on('ack', onAck);
  engine.on('watermark', onWatermark);
  const inFlight = () => Array.from({ length: read }, (_, i) => i).filter((i) => !acks.has(i));

  const records = engine.process(source());
  let received = false;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const ask = () => {
    received = false;
    records.next().then(
      (result) => {
        if (result.done === true) finished = true;
        else {
          const record = result.value;
          timeline.push({ kind: 'record', eventTime: record.eventTime, late: record.late === true });
          const stages = engine.traces().map((trace) => trace.stage);
          handovers.push({ record, watermark: engine.watermark, read: engine.stats?.read ?? 0, stages });
        }
        received = true;
      },
      (error: unknown) => {
        failure = { error };
        finished = true;
      },
    );
  };
  const steps = (): Step[] => {
    const list: Step[] = [];
    for (const trace of engine.traces()) {
      if (trace.stage === 'dispatched' && !gates.isOpen(trace.offset)) list.push({ kind: 'open', index: trace.offset });
    }
    if (received && !finished) list.push({ kind: 'consume' });
    if (stalled) list.push({ kind: 'resume' });
    return list;
  };
  const state = () => ({
    read,
    inFlight: inFlight(),
    stalled,
    received,
    traces: engine.traces().map((trace) => `${trace.offset}:${trace.stage}`),
    buffers: engine.buffers,
  });

  // Let the main thread run until nothing more happens without the test.
  const quiesce = async () => {
    await nextTurn();
    if (!stalled) return;
    await delay(idleAfter);
    if (!idled && inFlight().length === 0) {
      idled = true;
      idleStalls++;
      model.idle();
    }
  };

  ask();
  try {
    for (let step = 0; !finished; step++) {
      const possible = steps();
      if (possible.length === 0) {
        await until(() => finished || steps().length > 0, 'a step the run can take', state);
        await quiesce();
        continue;
      }
      const taken = possible[(choices[step % choices.length] ?? 0) % possible.length] as Step;
      if (taken.kind === 'open') {
        gates.open(taken.index);
        const at = () => engine.traces().find((trace) => trace.offset === taken.index)?.stage;
        await until(() => at() !== 'dispatched', `message ${taken.index} to settle`, state);
      } else if (taken.kind === 'consume') {
        ask();
      } else {
        stalled = false;
        idled = false;
        resume();
      }
      await quiesce();
      if (failure !== undefined) break;
      assert.equal(engine.watermark, model.output(inFlight()), `the output watermark after step ${step} (${JSON.stringify(taken)}): ${JSON.stringify(state())}`);
    }
    if (failure !== undefined) throw failure.error;
  } finally {
    engine.off('ack', onAck);
    engine.off('watermark', onWatermark);
    for (let i = 0; i < eventTimes.length; i++) gates.open(i);
    resume();
  }
  return { eventTimes, model, handovers, acks, timeline, idleStalls };
}

/**
 * The rule of DESIGN.md: the output watermark only rises, and no record
 * handed over after the engine published W has an event time below W
 * unless it is `late`.
 */
export function assertWatermarkRule(timeline: readonly TimelineEvent[]): void {
  let watermark = Number.NEGATIVE_INFINITY;
  for (const event of timeline) {
    if (event.kind === 'watermark') {
      assert.ok(event.value > watermark, `the watermark went from ${watermark} to ${event.value}`);
      watermark = event.value;
    } else if (!event.late) {
      assert.ok(event.eventTime >= watermark, `an on-time record at ${event.eventTime} after watermark ${watermark}`);
    }
  }
}

/** Each message's record and read-under watermark are what the model says. */
export function assertRecordsMatchModel(run: SteppedRun): void {
  for (const { record, watermark } of run.handovers) {
    const eventTime = run.eventTimes[record.offset] as number;
    assert.equal(record.eventTime, eventTime);
    assert.equal(record.late === true, run.model.late(record.offset, eventTime), `late flag of offset ${record.offset}`);
    assert.ok(record.late === true || eventTime >= watermark, `offset ${record.offset} at ${eventTime} handed over after ${watermark}`);
  }
  assert.equal(run.acks.size, run.eventTimes.length, 'every message acked');
  for (const [offset, trace] of run.acks) {
    assert.equal(trace.watermark, run.model.readUnder[offset], `the input watermark offset ${offset} was read under`);
  }
  assert.equal(run.handovers.length + [...run.acks.values()].filter((trace) => trace.stage === 'dropped').length, run.eventTimes.length);
}
