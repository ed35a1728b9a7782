import { createHash } from 'node:crypto';

const block = Buffer.alloc(16 * 1024, 7);

/**
 * A CPU-bound transform for the CPU-scaling benchmark: a fixed amount of
 * work (SHA-256 over `rounds` 16 KiB blocks), not a fixed time, so that
 * threads that share a core really do take longer.
 */
export default function hash(rounds: number): number {
  let digest = createHash('sha256');
  for (let i = 0; i < rounds; i++) digest = digest.update(block);
  return digest.digest()[0] ?? 0;
}
