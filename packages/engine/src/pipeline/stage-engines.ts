import type { Registry } from 'prom-client';
import { Engine } from '../engine.js';
import { InvalidOptionError } from '../errors.js';
import { maxTimerMs } from '../options/option-bounds.js';
import type { EngineOptions } from '../options/options.js';
import type { PartPlan, StagePlan } from './pipeline-plan.js';
import { underPath } from './pipeline-plan.js';
import type { StageEngines } from './pipeline-run.js';

/** One engine of a pipeline and where it is: its stage's index, and its branch (or `join`) in a parallel stage. */
export interface StagePart {
  readonly stage: number;
  readonly part: string | undefined;
  readonly engine: Engine;
}

/**
 * The engines of every stage, made from the checked plan (`registryFor`
 * gives each its own metrics registry, when the pipeline has metrics). A
 * parallel stage's `maxPending` defaults to its largest branch's in-flight
 * limit plus its join's: every branch can be kept full, and no more.
 *
 * @throws {InvalidOptionError} an engine's, under the pipeline option's path (the engines made so far are closed).
 */
export function makeStageEngines(
  plan: readonly StagePlan[],
  registryFor: ((stage: string, branch: string | undefined) => Registry) | undefined,
): { stages: StageEngines[]; parts: StagePart[] } {
  const parts: StagePart[] = [];
  const make = (index: number, part: PartPlan): Engine => {
    const registry = registryFor?.(part.stage, part.branch);
    try {
      const options: EngineOptions = {
        ...part.engine,
        ...(index === 0 ? {} : { watermark: carried }),
        ...(registry === undefined ? {} : { metrics: { registry } }),
      };
      const engine = new Engine(options);
      parts.push({ stage: index, part: part.branch, engine });
      return engine;
    } catch (error) {
      throw error instanceof InvalidOptionError ? underPath(error, part) : error;
    }
  };
  try {
    const stages = plan.map((stage, index): StageEngines => {
      if (stage.kind !== 'parallel') return { kind: stage.kind, name: stage.name, engine: make(index, stage.part) };
      const branches = stage.branches.map((part) => ({ name: part.branch as string, engine: make(index, part) }));
      const join = make(index, stage.join);
      const maxPending = stage.maxPending ?? Math.max(...branches.map(({ engine }) => inFlightLimit(engine))) + inFlightLimit(join);
      return { kind: 'parallel', name: stage.name, branches, join, maxPending };
    });
    return { stages, parts };
  } catch (error) {
    for (const { engine } of parts) void engine.close().catch(() => {});
    throw error;
  }
}

/**
 * The watermark settings of every engine after the first stage's: the
 * watermark is carried stage to stage (each message brings the output
 * watermark of the engine it left as `SourceRecord.watermark`), so such an
 * engine estimates nothing from event times (`maxOutOfOrderness: Infinity`)
 * and never calls its source idle (a quiet stage before is not an idle
 * source: it may still hold messages below what it has let through).
 */
const carried = { maxOutOfOrderness: Number.POSITIVE_INFINITY, idleAfter: maxTimerMs };

/** Messages an engine holds at most: its three buffers' message limits added up. */
function inFlightLimit(engine: Engine): number {
  const { input, processing, output } = engine.options.buffers;
  return input.messages + processing.messages + output.messages;
}
