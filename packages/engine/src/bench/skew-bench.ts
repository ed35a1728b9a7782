import type { EngineOptions } from '../options/options.js';
import type { DistributionName } from '../workload/distributions.js';
import type { OracleRun } from '../workload/oracle.js';
import { runSkewOracle, runSkewScenario, skewEngineOptions } from '../workload/skew-scenario.js';
import type { SkewFamily, SkewRun } from '../workload/skew-scenario.js';
import type { BenchSetting } from './bench-run.js';
import type { SettingHooks } from './transform-bench.js';

/** The built-in seeded latency-skew workload, the setting aside. */
export interface SkewBench {
  readonly family: SkewFamily;
  readonly distribution: DistributionName;
  readonly messages: number;
  readonly meanMs: number;
  readonly seed: number;
  /** @default one per concurrency for `blocking`, else the core count */
  readonly threads?: number;
}

/** Hooks for progress: an oracle run starting and done. */
export interface SkewBenchEvents {
  readonly oracleStarting?: (concurrency: number) => void;
  readonly oracleDone?: (oracle: OracleRun) => void;
}

/**
 * Runs the built-in workload setting by setting: the oracle of a
 * concurrency once per repeat, the first time that concurrency comes up,
 * then shared by its modes (so async and batch are divided by one figure).
 */
export class SkewBenchRunner {
  readonly #bench: SkewBench;
  readonly #oracles = new Map<string, OracleRun>();
  readonly #events: SkewBenchEvents;

  constructor(bench: SkewBench, events: SkewBenchEvents = {}) {
    this.#bench = bench;
    this.#events = events;
  }

  /** The engine options a setting runs with. */
  engineOptions(setting: BenchSetting): EngineOptions {
    return skewEngineOptions(this.#scenario(setting));
  }

  async run(setting: BenchSetting, repeat: number, hooks: SettingHooks = {}): Promise<SkewRun> {
    const scenario = this.#scenario(setting);
    const key = `${repeat}:${setting.concurrency}`;
    let oracle = this.#oracles.get(key);
    if (oracle === undefined) {
      this.#events.oracleStarting?.(setting.concurrency);
      oracle = await runSkewOracle(scenario, hooks.signal);
      // An oracle a stop cut short is not kept, nor reported: the setting is left out.
      if (hooks.signal?.aborted === true) return runSkewScenario(scenario, { oracle, signal: hooks.signal });
      this.#oracles.set(key, oracle);
      this.#events.oracleDone?.(oracle);
    }
    return runSkewScenario(scenario, {
      oracle,
      ...(hooks.measuring === undefined ? {} : { measuring: hooks.measuring }),
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    });
  }

  #scenario(setting: BenchSetting) {
    const { threads, ...workload } = this.#bench;
    return { ...workload, ...setting, ...(threads === undefined ? {} : { threads }) };
  }
}
