import type { Engine, FailedRecord, SourceRecord } from '../../src/index.js';
import { within } from './wait.js';

/** What a run handed over: each output value, and each failed record, by offset. */
export interface Outcomes {
  readonly outputs: Map<number, unknown>;
  readonly failed: Map<number, FailedRecord>;
}

/** Run `source` to its end on `engine` (bounded: fails saying `what` if it does not end) and collect its records by offset. */
export async function outcomes(engine: Engine, source: Iterable<SourceRecord>, what = 'the run to end'): Promise<Outcomes> {
  const outputs = new Map<number, unknown>();
  const failed = new Map<number, FailedRecord>();
  await within(
    (async () => {
      for await (const record of engine.process(source)) {
        if (record.kind === 'output') outputs.set(record.offset, record.value);
        else failed.set(record.offset, record);
      }
    })(),
    what,
  );
  return { outputs, failed };
}
