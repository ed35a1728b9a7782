import { availableParallelism, cpus, totalmem } from 'node:os';

/** The machine and runtime the figures were measured on, printed beside them. */
export function machine(): { cpu: string; cores: number; memoryGiB: number; node: string; date: string } {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
}
