import type { Engine } from '../engine.js';
import type { ProcessOptions } from '../engine-types.js';
import type { EngineRecord, FailedRecord, Output, SourceRecord } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';
import { Wakeup } from '../run/wakeup.js';
import type { Source } from '../source/source-reader.js';
import type { Family, Item } from './ledger.js';
import { Ledger } from './ledger.js';
import { ParallelStage, inFlight } from './parallel-stage.js';
import type { ParallelEngines } from './parallel-stage.js';
import { failedOf, outputOf, reducedOf } from './pipeline-records.js';
import type { PipelineFailedRecord, PipelineRecord } from './pipeline-records.js';
import { Outbox } from './outbox.js';
import { Feed, Outlet, messageOf } from './stage-link.js';
import type { Emitted } from './stage-link.js';

/** The engines of one stage. */
export type StageEngines =
  | { readonly kind: 'transform' | 'reduce'; readonly name: string; readonly engine: Engine }
  | ({ readonly kind: 'parallel' } & ParallelEngines);

/** What a run tells its pipeline. */
export interface PipelineRunEvents {
  /** A source message is done (once each). */
  done(family: Family): void;
  /** The watermark may have risen. */
  changed(): void;
}

/** A record on its way to the consumer from an earlier stage, holding its family open. */
interface Side {
  readonly family: Family;
  readonly record: PipelineFailedRecord;
}

/**
 * One `pipeline.process()` call. Each stage's engine reads the stage
 * before's outlet as its source (a parallel stage splits it among its
 * branches and joins them), so a message goes on as soon as it leaves a
 * stage and a full stage holds back the ones before it, up to the source.
 * The consumer takes the last stage's records directly (so the last
 * engine acks a message when the consumer asks for the record after its
 * last), and failed records of earlier stages from a bounded outbox.
 */
export class PipelineRun {
  readonly ledger: Ledger;
  readonly #stages: readonly StageEngines[];
  readonly #events: PipelineRunEvents;
  readonly #outbox: Outbox<Side>;
  readonly #wakeup = new Wakeup();
  /** Stops the first stage's reading: an abort, `close()`, or the consumer went away. */
  readonly #reading = new AbortController();
  readonly #parallel: ParallelStage[] = [];
  readonly #last: Outlet;
  readonly #lastIsReduce: boolean;
  /** Counters: outputs and failed records handed over; source messages done, and of them failed and dropped. */
  emitted = 0;
  failed = 0;
  done = 0;
  failedMessages = 0;
  dropped = 0;

  constructor(source: Source<SourceRecord>, stages: readonly StageEngines[], signal: AbortSignal | undefined, events: PipelineRunEvents) {
    this.#stages = stages;
    this.#events = events;
    this.ledger = new Ledger((family) => events.done(family));
    this.#outbox = new Outbox<Side>(outboxCapacity(stages), () => this.#wakeup.notify());
    if (signal !== undefined) {
      if (signal.aborted) this.#reading.abort();
      else signal.addEventListener('abort', () => this.#reading.abort(), { once: true });
    }
    const ledger = this.ledger;
    // Each engine's run is claimed as its records are asked for; if one cannot be (a stage
    // engine still busy with a run the consumer left), those claimed are released.
    const opened: AsyncGenerator<EngineRecord, void, undefined>[] = [];
    const open = (engine: Engine, source: Source<SourceRecord>, options?: ProcessOptions): AsyncGenerator<EngineRecord, void, undefined> => {
      const records = engine.process(source, options);
      opened.push(records);
      return records;
    };
    let outlet: Outlet;
    try {
      const head = stages[0] as Exclude<StageEngines, { kind: 'parallel' }>;
      outlet = new Outlet(open(head.engine, source, { signal: this.#reading.signal }), (record) => ledger.headItem(record));
      stages.forEach((stage, index) => {
        if (index === 0) return;
        const upstreamFailed = this.#sideOf((stages[index - 1] as StageEngines).name);
        if (stage.kind === 'parallel') {
          const failed = (item: Item, record: PipelineFailedRecord): Promise<void> => this.#toSide(item.family, record);
          const upstreamWatermark = (): number => outputWatermark(stages[index - 1] as StageEngines);
          const parallel = new ParallelStage(index, stage, outlet, { ledger, upstreamFailed, upstreamWatermark, failed, open });
          this.#parallel.push(parallel);
          outlet = parallel.outlet;
          return;
        }
        const upstream = stages[index - 1] as StageEngines;
        const enter = (parent: Item, record: Output): SourceRecord => messageOf(ledger.enter(parent, index), record.value, outputWatermark(upstream));
        // When the pipeline was stopped (an abort, close()), the end of what the stage before let through is
        // not the end of the input: a reduce stage then stops too (its open windows stay open, their messages
        // unacked) rather than emit part windows. It is told as its source ends, so the stages before drain.
        const stopped = new AbortController();
        const ended = (): void => {
          if (this.#reading.signal.aborted) stopped.abort();
        };
        const feed = new Feed(outlet, { failed: upstreamFailed, enter, ended });
        const options = stage.kind === 'reduce' ? { signal: stopped.signal } : undefined;
        outlet = new Outlet(open(stage.engine, feed, options), (record) => inFlight(ledger, record.offset, stage.name));
      });
    } catch (error) {
      for (const records of opened) void records.return().catch(() => {});
      throw error;
    }
    this.#last = outlet;
    this.#lastIsReduce = stages.at(-1)?.kind === 'reduce';
  }

  /** An engine acked a message: `part` is the branch (or `join`) in a parallel stage. */
  acked(stage: number, part: string | undefined, trace: MessageTrace): void {
    const kind = this.#stages[stage]?.kind;
    // A reduce stage's window result is acked too: it is no message of a source's.
    if (trace.window !== undefined) return;
    if (stage === 0) {
      this.ledger.headAcked(trace);
    } else if (kind === 'parallel') {
      const parallel = this.#parallel.find((candidate) => candidate.index === stage);
      if (part === 'join') parallel?.joinAcked(trace);
      else if (part !== undefined) parallel?.branchAcked(part, trace);
    } else {
      const item = this.ledger.item(trace.offset);
      if (item !== undefined) this.ledger.ended(item, trace, kind === 'reduce');
    }
    this.#events.changed();
  }

  /** Messages held by each parallel stage (sent to its branches, not yet through its join), by stage index. */
  held(): Map<number, number> {
    return new Map(this.#parallel.map((stage) => [stage.index, stage.held]));
  }

  /** Stop reading the source; what is in flight goes on. */
  stop(): void {
    this.#reading.abort();
  }

  /** The pipeline's records; see `Pipeline.process`. */
  async *records(): AsyncGenerator<PipelineRecord, void, undefined> {
    // Set by the pending pull of the last stage (a callback the loop's narrowing cannot see).
    const last: { result?: IteratorResult<Emitted, undefined> | undefined; failure?: { readonly error: unknown } | undefined; pulling: boolean } = { pulling: false };
    let lastDone = false;
    let finished = false;
    try {
      for (const stage of this.#parallel) stage.start();
      for (;;) {
        const side = this.#outbox.shift();
        if (side !== undefined) {
          side.family.failures++;
          this.failed++;
          yield side.record;
          this.ledger.release(side.family);
          continue;
        }
        if (last.failure !== undefined) throw last.failure.error;
        const taken = last.result;
        if (taken !== undefined) {
          last.result = undefined;
          if (taken.done !== true) {
            yield this.#handOver(taken.value);
            continue;
          }
          lastDone = true;
        }
        // The last stage is done only once every stage before it is: nothing more can come.
        if (lastDone) {
          if (this.#outbox.size === 0) break;
          continue;
        }
        if (!last.pulling) {
          last.pulling = true;
          this.#last.next().then(
            (next) => {
              last.result = next;
              last.pulling = false;
              this.#wakeup.notify();
            },
            (error: unknown) => {
              last.failure = { error };
              last.pulling = false;
              this.#wakeup.notify();
            },
          );
        }
        await this.#wakeup.wait();
      }
      finished = true;
    } finally {
      if (!finished) this.release();
    }
  }

  /**
   * The consumer went away (or the run failed, or never started): stop
   * reading, and let every stage's engine end its run as for a consumer
   * that went away.
   */
  release(): void {
    this.#reading.abort();
    this.#outbox.close();
    for (const stage of this.#parallel) stage.stop();
    this.#last.return();
  }

  /** A record of the last stage, counted as its family's and the consumer's. */
  #handOver(emitted: Emitted): PipelineRecord {
    const family = emitted.parent.family;
    const name = (this.#stages[emitted.parent.stage] as StageEngines).name;
    if (emitted.kind === 'failed') {
      family.failures++;
      this.failed++;
      return failedOf(family, emitted.record, name);
    }
    emitted.parent.children++;
    family.outputs++;
    this.emitted++;
    return this.#lastIsReduce ? reducedOf(emitted.record, family, name) : outputOf(family, emitted.record.value, name);
  }

  /** What a stage does with a failed record of the stage named `stage` before it: to the consumer. */
  #sideOf(stage: string): (parent: Item, record: FailedRecord) => Promise<void> {
    return (parent, record) => this.#toSide(parent.family, failedOf(parent.family, record, stage));
  }

  async #toSide(family: Family, record: PipelineFailedRecord): Promise<void> {
    // Held until handed over; a closed outbox (the consumer went away) leaves the family not done.
    this.ledger.hold(family);
    await this.#outbox.push({ family, record });
  }
}

/** The outbox holds as many records as the largest output buffer of the stages' engines. */
function outboxCapacity(stages: readonly StageEngines[]): number {
  const engines = stages.flatMap((stage) => (stage.kind === 'parallel' ? [...stage.branches.map((branch) => branch.engine), stage.join] : [stage.engine]));
  return Math.max(1, ...engines.map((engine) => engine.options.buffers.output.messages));
}

/** The output watermark of `stage`: its engine's, or a parallel stage's join's (whose records leave it). */
function outputWatermark(stage: StageEngines): number {
  return stage.kind === 'parallel' ? stage.join.watermark : stage.engine.watermark;
}
