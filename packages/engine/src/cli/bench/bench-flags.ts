import type { BenchSetting } from '../../bench/bench-run.js';
import { InvalidOptionError } from '../../errors.js';
import type { EngineOptions } from '../../options/options.js';
import { resolveOptions } from '../../options/resolve-options.js';
import { withFlagNames } from '../flag-names.js';
import type { FlagName } from '../flag-names.js';

/**
 * `tidemark bench`'s flags that set engine options, for the engine's errors
 * about them to name the flag (as `run`'s table does for `run`). Each
 * setting's concurrency, and in batch mode its batch size, comes from
 * `--concurrency`; its mode from `--modes`.
 */
export const benchEngineFlags: readonly FlagName[] = [
  { flag: '--transform', path: 'transform' },
  { flag: '--threads', path: 'threads' },
  { flag: '--concurrency', path: 'concurrency' },
  { flag: '--concurrency', path: 'batchSize' },
  { flag: '--modes', path: 'mode' },
  { flag: '--ordered', path: 'ordering' },
  { flag: '--timeout', path: 'timeout' },
];

/**
 * Check every setting's engine options as the engine will (and so before
 * the input is read or anything runs), each error under the flag that set
 * the option: ``Expected `--threads` to be …``, not after minutes of runs.
 */
export function checkSettings(settings: readonly BenchSetting[], engineOptions: (setting: BenchSetting) => EngineOptions): void {
  for (const setting of settings) {
    try {
      resolveOptions(engineOptions(setting));
    } catch (error) {
      throw error instanceof InvalidOptionError ? withFlagNames(error, benchEngineFlags) : error;
    }
  }
}
