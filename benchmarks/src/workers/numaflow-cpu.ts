import { createHash } from 'node:crypto';

const block = Buffer.alloc(16 * 1024, 7);

/**
 * The Numaflow benchmark's CPU-heavy transform, run by both contenders: the
 * request's value is `<i>:<rounds>` in UTF-8; the answer is the SHA-256 of
 * the value followed by `rounds` 16 KiB blocks (a fixed amount of work, not
 * a fixed time, so that threads sharing a core do take longer), 32 bytes.
 */
export default function numaflowCpu(value: Uint8Array): Buffer {
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  const rounds = Number(text.slice(text.indexOf(':') + 1));
  const digest = createHash('sha256').update(value);
  for (let i = 0; i < rounds; i++) digest.update(block);
  return digest.digest();
}
