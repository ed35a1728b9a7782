import { InvalidOptionError, show } from '../errors.js';

/** A command's flag and the engine option it sets, as the engine's errors name it (`buffers.input.overflow`). */
export interface FlagName {
  /** As the user types it: `--input-overflow`. */
  readonly flag: string;
  readonly path: string;
}

/**
 * `error` with the expectation of its message (``Expected `x` to be
 * <expected>, got …``) reworded, about `option`; `error` itself when its
 * message is not of that form or nothing changed.
 */
export function reworded(error: InvalidOptionError, option: string, reword: (expected: string) => string): InvalidOptionError {
  const prefix = `Expected \`${error.option}\` to be `;
  const suffix = `, got ${show(error.received)}`;
  if (!error.message.startsWith(prefix) || !error.message.endsWith(suffix)) return error;
  const expected = error.message.slice(prefix.length, error.message.length - suffix.length);
  const changed = reword(expected);
  if (changed === expected && option === error.option) return error;
  const named = new InvalidOptionError(option, changed, error.received);
  if (error.stack !== undefined) named.stack = error.stack;
  return named;
}

/**
 * The engine's error about an option one of `flags` sets, reported under the
 * flag: ``Expected `--input-overflow` to be …`` for the engine's
 * ``Expected `buffers.input.overflow` to be …``, other options its
 * expectation names also by their flags (`at least --retry-initial (50)`).
 * An error about an option no flag sets is returned as it is. Each command
 * gives its own table (`run`'s `engineFlags`, `bench`'s `benchEngineFlags`).
 */
export function withFlagNames(error: InvalidOptionError, flags: readonly FlagName[]): InvalidOptionError {
  const byPath = new Map(flags.map((entry) => [entry.path, entry.flag]));
  // A part of an option the flag sets whole (`concurrency.max` of `--concurrency 1..8`) is the flag's too.
  const flag = byPath.get(error.option) ?? byPath.get(error.option.split('.')[0] ?? '');
  if (flag === undefined) return error;
  return reworded(error, flag, (expected) => {
    for (const [path, name] of byPath) {
      // `concurrency` in backquotes, or a name no sentence has (`retry.backoff.initial`, `batchSize`).
      const bare = /[.A-Z]/.test(path) ? `|(?<![\\w.\`-])${path.replaceAll('.', '\\.')}(?![\\w\`])` : '';
      expected = expected.replace(new RegExp(`\`${path.replaceAll('.', '\\.')}\`${bare}`, 'g'), name);
    }
    return expected;
  });
}
