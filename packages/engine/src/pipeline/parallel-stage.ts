import type { Engine } from '../engine.js';
import type { EngineRecord, FailedRecord, SourceRecord } from '../message.js';
import type { MessageTrace } from '../run/message-state.js';
import { Wakeup } from '../run/wakeup.js';
import { SourceChannel } from '../streams/source-channel.js';
import type { Ending, Item, Ledger } from './ledger.js';
import type { PipelineFailedRecord } from './pipeline-records.js';
import { failedOf } from './pipeline-records.js';
import { ReadyQueue } from './ready-queue.js';
import { Outlet, messageOf } from './stage-link.js';

/** The engines of a parallel stage. */
export interface ParallelEngines {
  readonly name: string;
  readonly branches: readonly { readonly name: string; readonly engine: Engine }[];
  readonly join: Engine;
  readonly maxPending: number;
}

/** How a parallel stage reaches the rest of its run. */
export interface ParallelHooks {
  readonly ledger: Ledger;
  /** The output watermark of the stage before: what each message carries to the branches. */
  upstreamWatermark(): number;
  /** A failed record of the stage before: to the consumer. */
  upstreamFailed(parent: Item, record: FailedRecord): Promise<void>;
  /** A failed record of this stage (a branch's): to the consumer, holding its family until handed over. */
  failed(item: Item, record: PipelineFailedRecord): Promise<void>;
  /** `engine.process(source)`, claiming the engine's run (released if the pipeline's run cannot start). */
  open(engine: Engine, source: AsyncIterable<SourceRecord>): AsyncGenerator<EngineRecord, void, undefined>;
}

/**
 * A stage that sends each message to every branch at once and joins the
 * branches' results per message:
 *
 *   upstream ─▶ splitter ─┬─▶ channel ─▶ branch engine ─▶ collector ─┐   (ack: branch in)
 *                         └─▶ channel ─▶ branch engine ─▶ collector ─┤
 *                                                                    ▼
 *        outlet ◀── join engine ◀── ready queue ◀── all branches in, none failed
 *
 * A message's pending dependencies are the branches whose engine has not
 * acked it yet (`item.pending`). The ledger holds it from when the splitter
 * sends it until the join engine acks it; at most `maxPending` are held,
 * so a slow branch stops the splitter instead of piling up the fast
 * branches' results. A branch that fails for good fails the message (one
 * failed record, naming the branch) and the join does not run for it.
 */
export class ParallelStage {
  /** The join engine's records: the stage's outputs. */
  readonly outlet: Outlet;
  /** The stage's index in the pipeline. */
  readonly index: number;
  readonly #engines: ParallelEngines;
  readonly #hooks: ParallelHooks;
  readonly #upstream: Outlet;
  readonly #branchNames: readonly string[];
  readonly #channels: SourceChannel<SourceRecord>[];
  readonly #branchRecords: AsyncGenerator<EngineRecord, void, undefined>[];
  readonly #ready = new ReadyQueue<SourceRecord>();
  readonly #room = new Wakeup();
  #held = 0;
  #collecting: number;
  #splitting = true;
  #error: { readonly error: unknown } | undefined;
  #stopped = false;

  constructor(index: number, engines: ParallelEngines, upstream: Outlet, hooks: ParallelHooks) {
    this.index = index;
    this.#engines = engines;
    this.#hooks = hooks;
    this.#upstream = upstream;
    this.#branchNames = engines.branches.map((branch) => branch.name);
    this.#channels = engines.branches.map(() => new SourceChannel<SourceRecord>());
    // Each engine's run is claimed now (one run at a time per engine); it starts at the first pull.
    this.#branchRecords = engines.branches.map((branch, at) => hooks.open(branch.engine, this.#channels[at] as SourceChannel<SourceRecord>));
    this.#collecting = engines.branches.length;
    const ledger = hooks.ledger;
    this.outlet = new Outlet(hooks.open(engines.join, this.#ready), (record) => inFlight(ledger, record.offset, engines.name));
  }

  /** Messages sent to the branches and not yet through the join. */
  get held(): number {
    return this.#held;
  }

  /** Start sending messages to the branches and collecting their results. */
  start(): void {
    void this.#split();
    this.#engines.branches.forEach((branch, at) => void this.#collect(branch.name, this.#branchRecords[at] as AsyncGenerator<EngineRecord, void, undefined>));
  }

  /** The pipeline's consumer went away: take nothing more from upstream, and let the branches drain. */
  stop(): void {
    this.#stopped = true;
    this.#room.notify();
    for (const channel of this.#channels) channel.close();
    for (const records of this.#branchRecords) void records.return().catch(() => {});
    this.#ready.end();
  }

  /** Branch `branch`'s engine acked message `trace.offset`: that dependency is in. */
  branchAcked(branch: string, trace: MessageTrace): void {
    const item = this.#hooks.ledger.item(trace.offset);
    const pending = item?.pending;
    if (item === undefined || pending === undefined || !pending.delete(branch)) return;
    if (trace.outcome === 'dropped') item.overflow ??= trace.overflow;
    if (pending.size > 0) return;
    if (item.failed || item.overflow !== undefined) {
      this.#leave(item, { outcome: item.failed ? 'failed' : 'dropped', overflow: item.overflow });
      return;
    }
    item.joining = true;
    // The join's input watermark: the lowest of the branches' output watermarks (each message passed them all).
    const watermark = Math.min(...this.#engines.branches.map((branch) => branch.engine.watermark));
    this.#ready.push(messageOf(item, joinValue(item, this.#branchNames), watermark));
  }

  /** The join engine acked message `trace.offset`: it leaves the stage. */
  joinAcked(trace: MessageTrace): void {
    const item = this.#hooks.ledger.item(trace.offset);
    if (item !== undefined) this.#leave(item, trace);
  }

  #leave(item: Item, ending: Ending): void {
    this.#hooks.ledger.ended(item, ending, false);
    this.#held--;
    this.#room.notify();
  }

  /** Take each message from upstream while fewer than `maxPending` are held, and send it to every branch at once. */
  async #split(): Promise<void> {
    let finished = false;
    try {
      for (;;) {
        while (this.#held >= this.#engines.maxPending && !this.#stopped) await this.#room.wait();
        if (this.#stopped) break;
        const result = await this.#upstream.next();
        if (result.done === true) {
          finished = true;
          break;
        }
        const emitted = result.value;
        if (emitted.kind === 'failed') {
          await this.#hooks.upstreamFailed(emitted.parent, emitted.record);
          continue;
        }
        if (this.#stopped) break;
        const item = this.#hooks.ledger.enter(emitted.parent, this.index, this.#branchNames);
        this.#held++;
        const message = messageOf(item, emitted.record.value, this.#hooks.upstreamWatermark());
        const taken = await Promise.all(this.#channels.map((channel) => channel.put(message)));
        if (taken.includes(false)) break; // a branch stopped reading
      }
    } catch (error) {
      // The source's (or a stage before's) error: the branches drain, then the join's reader gets it.
      this.#error ??= { error };
      finished = true;
    } finally {
      if (!finished) this.#upstream.return();
      for (const channel of this.#channels) channel.end();
      this.#splitting = false;
      this.#endIfDone();
    }
  }

  /** Gather branch `branch`'s outputs per message; its first failed record fails the message. */
  async #collect(branch: string, records: AsyncGenerator<EngineRecord, void, undefined>): Promise<void> {
    const { ledger } = this.#hooks;
    const stage = this.#engines.name;
    try {
      for (let result = await records.next(); result.done !== true; result = await records.next()) {
        const record = result.value;
        const item = inFlight(ledger, record.offset, stage);
        if (record.kind === 'output') {
          if (!item.failed) item.values?.get(branch)?.push(record.value);
          continue;
        }
        if (item.failed) continue; // another branch failed it first: one failed record per message
        item.failed = true;
        item.failedBranch = branch;
        await this.#hooks.failed(item, failedOf(item.family, record, stage, branch));
      }
    } catch (error) {
      // The branch's engine failed (its module did not load): the splitter stops at its closed channel.
      this.#error ??= { error };
      this.#channels[this.#branchNames.indexOf(branch)]?.close();
    } finally {
      this.#collecting--;
      this.#endIfDone();
    }
  }

  /** Once nothing more can become ready, the join's reader ends (with the stage's error, if any, after the last message). */
  #endIfDone(): void {
    if (this.#splitting || this.#collecting > 0) return;
    this.#ready.end(this.#error);
  }
}

/** The join's value: each branch's single output, or an array of its outputs when it gave none or several. */
function joinValue(item: Item, branches: readonly string[]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const branch of branches) {
    const outputs = item.values?.get(branch) ?? [];
    value[branch] = outputs.length === 1 ? outputs[0] : outputs;
  }
  return value;
}

/** The message with offset `id` in a stage after the first: it must be in flight (else the pipeline has a defect). */
export function inFlight(ledger: Ledger, id: number, stage: string): Item {
  const item = ledger.item(id);
  if (item === undefined) throw new Error(`pipeline stage '${stage}': a record of offset ${id}, which is not in flight there`);
  return item;
}
