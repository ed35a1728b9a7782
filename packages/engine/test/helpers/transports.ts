import { describe } from 'node:test';
import type { EngineOptions } from '../../src/index.js';

/** The transports every behaviour test runs over. */
export const transports = ['ring', 'task'] as const satisfies readonly NonNullable<EngineOptions['transport']>[];

export type TestTransport = (typeof transports)[number];

/**
 * Declares the tests of `body` once per transport, each set in a suite named
 * after it, so that the report and `--test-name-pattern` (`ring`, `task`)
 * tell them apart. The suites run one after the other in the file's process,
 * as the file's tests do; each call of `body` gets state of its own. Node 20's
 * `--test-timeout` also bounds a file as a whole, so both suites share the
 * runner's bound. Tests of one transport alone stay outside and say why.
 */
export function forEachTransport(body: (transport: TestTransport) => void): void {
  for (const transport of transports) describe(transport, () => body(transport));
}
