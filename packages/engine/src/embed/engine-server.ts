import { createReadStream } from 'node:fs';
import { Engine } from '../engine.js';
import { InvalidOptionError, TidemarkError } from '../errors.js';
import type { ResolvedOptions } from '../options/options.js';
import { ndjsonSource } from '../io/ndjson-source.js';
import type { SourceRecord } from '../message.js';
import type { Source } from '../source/source-reader.js';
import { version } from '../cli/version.js';
import { FarRun, statusOf } from './far-run.js';
import { Inbox } from './inbox.js';
import type { ModuleNames } from './module-names.js';
import { PROTOCOL } from './protocol.js';
import { checkServedEngineCount, checkServedOptions } from './served-options.js';
import type { EngineServer, RemoteStatus, Reply, RunRequest, TakeResult } from './protocol.js';
import { listModules } from './list-modules.js';
import { fromItemColumns } from './item-columns.js';
import type { ItemColumns } from './item-columns.js';
import { fromWireError, toWireError } from './wire-error.js';
import type { WireError } from './wire-error.js';

type Item = SourceRecord | readonly SourceRecord[];

/** A run on the far side, with its inbox when the host feeds it. */
interface ServedRun {
  readonly engine: number;
  readonly run: FarRun;
  readonly inbox: Inbox | undefined;
}

/**
 * A run's feed window: the most items a host feed brings at once, and the
 * inbox's fill at which a feed waits. It covers a round trip of reading
 * without holding much more than the engine's own in-flight count ahead
 * of it: the engine's concurrency, from 16 to 1,024.
 */
export function feedWindow(concurrency: number): number {
  return Math.min(1024, Math.max(16, concurrency));
}

/** A far-side source, and what lets go of it when no run reads it. */
interface FarSource {
  readonly source: Source<Item>;
  readonly dispose: () => void;
}

/** The most messages a host may ask for per take. */
const MAX_CREDIT = 65_536;

/**
 * The far side's engines and runs for one connection: what `exposeEngine`
 * serves. Every method answers a {@link Reply} and never throws, whatever
 * the host sent; `disconnect()` aborts and drains every run and closes every
 * engine, when the host goes away or releases its proxy.
 */
export class ServedEngines implements EngineServer {
  readonly #names: ModuleNames;
  readonly #maxMessageBytes: number | undefined;
  readonly #engines = new Map<number, Engine>();
  readonly #runs = new Map<number, ServedRun>();
  #ids = 0;
  #gone: Promise<void> | undefined;
  #draining = false;
  /** Wake every `drain()` waiting when a run ends. */
  #runEnded: (() => void)[] = [];

  constructor(names: ModuleNames, maxMessageBytes?: number) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#names = names;
  }

  /** Engines open now. */
  get engines(): number {
    return this.#engines.size;
  }

  /** Runs active now. */
  get runs(): number {
    return this.#runs.size;
  }

  hello(): Promise<Reply<{ protocol: number; version: string; maxMessageBytes?: number }>> {
    return answer(() => ({ protocol: PROTOCOL, version, ...(this.#maxMessageBytes === undefined ? {} : { maxMessageBytes: this.#maxMessageBytes }) }));
  }

  transforms(): Promise<Reply<string[]>> {
    return answer(async () => (this.#names.root === undefined ? [] : await listModules(this.#names.root)));
  }

  create(options: Record<string, unknown>): Promise<Reply<{ id: number; options: unknown }>> {
    return answer(() => {
      this.#open();
      if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'an object', options);
      if (this.#names.root !== undefined) {
        // A confined host: only the options that cannot reach beyond the served folder, bounded by this machine.
        checkServedOptions(options);
        checkServedEngineCount(this.#engines.size);
      }
      const transform = this.#names.resolve('transform', options.transform);
      const engine = new Engine({ ...options, transform });
      const id = ++this.#ids;
      this.#engines.set(id, engine);
      return { id, options: plainOptions(engine.options) };
    });
  }

  start(engineId: number, request: RunRequest): Promise<Reply<{ run: number; window: number }>> {
    return answer(async () => {
      this.#open();
      const engine = this.#engine(engineId);
      const credit = request?.credit;
      if (!Number.isSafeInteger(credit) || credit < 1 || credit > MAX_CREDIT) {
        throw new InvalidOptionError('credit', `an integer from 1 to ${MAX_CREDIT}`, credit);
      }
      const window = feedWindow(engine.options.concurrency);
      const inbox = request.source !== null && typeof request.source === 'object' && 'host' in request.source ? new Inbox(window) : undefined;
      const far = inbox === undefined ? await this.#farSource(request.source) : undefined;
      let run: FarRun;
      try {
        // drain() or the host's going away may have come while a far-side module loaded.
        this.#open();
        run = new FarRun(engine, inbox ?? (far as FarSource).source, { ...request, acks: request.acks === true, chunked: request.chunked === true });
      } catch (error) {
        far?.dispose();
        throw error;
      }
      const id = ++this.#ids;
      this.#runs.set(id, { engine: engineId, run, inbox });
      return { run: id, window };
    });
  }

  feed(runId: number, items: ItemColumns, end?: { error?: WireError }): Promise<Reply<void>> {
    return answer(async () => {
      const inbox = this.#run(runId).inbox;
      if (inbox === undefined) throw new InvalidOptionError('feed', 'a run whose source is the host', runId);
      if (items === null || typeof items !== 'object' || !Array.isArray(items.values)) throw new InvalidOptionError('items', 'item columns', items);
      const error = end?.error === undefined ? undefined : fromWireError(end.error);
      await inbox.feed(fromItemColumns(items), end === undefined ? undefined : error === undefined ? {} : { error });
    });
  }

  take(runId: number, acks: boolean): Promise<Reply<TakeResult>> {
    return answer(async () => {
      const served = this.#run(runId);
      const result = await served.run.take(acks === true);
      if (result.done) this.#forget(runId);
      return result;
    });
  }

  abort(runId: number): Promise<Reply<void>> {
    return answer(() => {
      this.#runs.get(runId)?.run.abort();
    });
  }

  leave(runId: number): Promise<Reply<void>> {
    return answer(() => this.#leave(runId));
  }

  status(engineId: number): Promise<Reply<RemoteStatus>> {
    return answer(() => statusOf(this.#engine(engineId)));
  }

  close(engineId: number): Promise<Reply<void>> {
    return answer(async () => {
      const engine = this.#engines.get(engineId);
      if (engine === undefined) return;
      for (const [id, served] of this.#runs) if (served.engine === engineId) await this.#leave(id);
      await engine.close();
      this.#engines.delete(engineId);
    });
  }

  /**
   * Stop reading on every run (as an abort does) and resolve once the host
   * has taken what was in flight and every run is over. New engines and
   * runs are refused from now on.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    for (const served of this.#runs.values()) served.run.abort();
    while (this.#runs.size > 0) {
      await new Promise<void>((resolve) => {
        this.#runEnded.push(resolve);
      });
    }
    // A run is forgotten as its last `take` returns, before comlink posts that
    // answer (in microtasks): let it go out, or a close() right after drain()
    // would drop it and the host's run would end disconnected.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** The host went away: abort and drain every run, close every engine. Idempotent. */
  disconnect(): Promise<void> {
    this.#gone ??= (async () => {
      await Promise.allSettled([...this.#runs.keys()].map((id) => this.#leave(id)));
      await Promise.allSettled([...this.#engines.values()].map((engine) => engine.close()));
      this.#engines.clear();
    })();
    return this.#gone;
  }

  async #leave(runId: number): Promise<void> {
    const served = this.#runs.get(runId);
    if (served === undefined) return;
    this.#forget(runId);
    served.inbox?.close();
    await served.run.leave();
  }

  #forget(runId: number): void {
    this.#runs.delete(runId);
    const ended = this.#runEnded;
    this.#runEnded = [];
    for (const wake of ended) wake();
  }

  async #farSource(source: unknown): Promise<FarSource> {
    if (source === null || typeof source !== 'object') throw new InvalidOptionError('source', 'iterable, or { ndjson } or { module }', source);
    const far = source as { ndjson?: unknown; from?: unknown; module?: unknown; args?: unknown };
    if (far.ndjson !== undefined) {
      const url = this.#names.resolve('source.ndjson', far.ndjson);
      const from = far.from;
      // Checked before the file is opened: a refused source leaves nothing open.
      if (from !== undefined && !(typeof from === 'number' && Number.isSafeInteger(from) && from >= 0)) {
        throw new InvalidOptionError('source.from', 'an integer from 0 up (a 0-based line index)', from);
      }
      const stream = createReadStream(url);
      try {
        return { source: ndjsonSource(stream, from === undefined ? {} : { from }), dispose: () => stream.destroy() };
      } catch (error) {
        stream.destroy();
        throw error;
      }
    }
    if (far.module !== undefined) {
      const url = this.#names.resolve('source.module', far.module);
      const loaded = ((await import(url.href)) as { default?: unknown }).default;
      const items = typeof loaded === 'function' ? (loaded as (args: unknown) => unknown)(far.args) : loaded;
      if (items !== null && typeof items === 'object' && (Symbol.asyncIterator in items || Symbol.iterator in items)) {
        return { source: items as Source<Item>, dispose: () => {} };
      }
      throw new InvalidOptionError('source.module', 'a module whose default export is an iterable or a function returning one', far.module);
    }
    throw new InvalidOptionError('source', 'iterable, or { ndjson } or { module }', source);
  }

  #engine(id: number): Engine {
    const engine = this.#engines.get(id);
    if (engine === undefined) throw new TidemarkError(`no engine ${String(id)} on this connection`);
    return engine;
  }

  #run(id: number): ServedRun {
    const served = this.#runs.get(id);
    if (served === undefined) throw new TidemarkError(`no active run ${String(id)} on this connection`);
    return served;
  }

  #open(): void {
    if (this.#gone !== undefined || this.#draining) throw new TidemarkError('this connection is closing');
  }
}

/** `work`'s value as a reply, or the error it threw. */
async function answer<T>(work: () => T | Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: await work() };
  } catch (error) {
    return { error: toWireError(error) };
  }
}

/** Resolved options as plain data: the transform as its URL string, no registry object. */
function plainOptions(options: ResolvedOptions): unknown {
  const metrics = options.metrics === undefined ? undefined : { port: options.metrics.port };
  return { ...options, transform: String(options.transform), metrics };
}
