import { benchModes } from '../../bench/bench-run.js';
import type { BenchMode } from '../../bench/bench-run.js';
import { maxConcurrency } from '../../options/option-bounds.js';
import { UsageError } from '../usage-error.js';

/** The items of a comma-separated flag value; a usage error naming `flag` when one is empty or repeated. */
function items(flag: string, text: string, expected: string): string[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new UsageError(`${flag}: expected ${expected}, got ${JSON.stringify(text)}`);
  const repeated = parts.find((part, i) => parts.indexOf(part) !== i);
  if (repeated !== undefined) throw new UsageError(`${flag}: ${repeated} is listed twice in ${JSON.stringify(text)} (for more runs of a setting use --repeat)`);
  return parts;
}

/** `--concurrency 8,32,128`: each an integer from 1 to the engine's bound, at least one, none twice. */
export function concurrencyList(text: string): number[] {
  const expected = `a comma-separated list of integers from 1 to ${maxConcurrency}, such as 8,32,128`;
  return items('--concurrency', text, expected).map((part) => {
    const value = Number(part);
    if (!/^\d+$/.test(part) || !(value >= 1 && value <= maxConcurrency)) {
      throw new UsageError(`--concurrency: ${JSON.stringify(part)} is not an integer from 1 to ${maxConcurrency} (expected ${expected})`);
    }
    return value;
  });
}

/** `--modes async,batch`: each a mode, at least one, none twice. */
export function modeList(text: string): BenchMode[] {
  const expected = `a comma-separated list of ${benchModes.join(', ')}`;
  return items('--modes', text, expected).map((part) => {
    if (!(benchModes as readonly string[]).includes(part)) throw new UsageError(`--modes: unknown mode ${JSON.stringify(part)} (expected ${expected})`);
    return part as BenchMode;
  });
}
