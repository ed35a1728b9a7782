import type { Ring } from './ring.js';

/** The consumer's side of one ring: where its records are read from. */
export abstract class RecordReader {
  protected readonly ring: Ring;
  protected readonly bytes: Buffer;

  constructor(ring: Ring) {
    this.ring = ring;
    this.bytes = Buffer.from(ring.buffer, ring.bytes.byteOffset, ring.capacity);
  }
}
