import { InvalidOptionError } from '../errors.js';

/** Where a line lies in the stream: from byte `start` to `end` (its newline included), counted from the stream's start. */
interface LineSpan {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** One line of an NDJSON stream. */
export type NdjsonLine =
  /** A line within the limit: its text (without `\n` or `\r\n`) and length in bytes. */
  | (LineSpan & { readonly text: string; readonly bytes: number; readonly tooLarge?: undefined })
  /** A line past the limit: only its first bytes were kept (`head`), the rest skipped unread. */
  | (LineSpan & { readonly head: string; readonly bytes: number; readonly tooLarge: true });

const newline = 0x0a;
/** What is kept of a line past the limit, to show in its failed record. */
const headBytes = 256;

/**
 * Split a byte stream into lines, holding at most `maxBytes` of any one
 * line in memory: a longer line is reported as `tooLarge` with its length
 * and first bytes, and the rest of it is skipped as it streams by, so one
 * huge record cannot exhaust memory. Splitting on the `\n` byte is safe in
 * UTF-8 (no multi-byte character contains it). The lines before line index
 * `from` are counted and skipped unread, none of their bytes kept; once
 * they are passed (or the input ended first), `skipped` is told how many
 * there were and where the next line starts. Each line says where it lies
 * in the stream (`start`, `end`), skipped lines counted. A UTF-8
 * byte-order mark at the start of the stream is not part of the first
 * line's text (nor of its `bytes`), but of its span: that line starts at 0.
 * A chunk that is not bytes or text (an object-mode stream of objects)
 * fails the read with an {@link InvalidOptionError} naming `input`.
 */
export async function* ndjsonLines(
  input: AsyncIterable<unknown>,
  maxBytes: number,
  from = 0,
  skipped?: (lines: number, end: number) => void,
): AsyncGenerator<NdjsonLine> {
  let pieces: Buffer[] = [];
  let held = 0; // bytes in `pieces`
  let length = 0; // bytes of the current line so far, kept or not
  let tooLarge = false;
  let last = -1; // the line's last byte so far: a `\r` before `\n` is not part of it
  let index = 0;
  let skipping = from > 0;
  let start = 0; // the current line's first byte in the stream
  let base = 0; // bytes of the stream before the current chunk
  const finish = (end: number): NdjsonLine => {
    const line = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, held);
    const cr = last === 0x0d ? 1 : 0;
    const bytes = length - cr;
    // The `\r` is dropped when it was kept, i.e. the whole line was.
    const text = held === length ? line.length - cr : line.length;
    const result: NdjsonLine = tooLarge
      ? { index, start, end, head: line.toString('utf8', 0, Math.min(text, headBytes)), bytes, tooLarge: true }
      : { index, start, end, text: line.toString('utf8', 0, text), bytes };
    start = end;
    pieces = [];
    held = 0;
    length = 0;
    tooLarge = false;
    last = -1;
    index++;
    return result;
  };
  const take = (chunk: Buffer) => {
    if (chunk.length === 0 || skipping) return;
    length += chunk.length;
    last = chunk[chunk.length - 1] as number;
    if (!tooLarge && length - (last === 0x0d ? 1 : 0) > maxBytes) tooLarge = true;
    // Past the limit only the head is kept.
    const room = tooLarge ? Math.max(0, headBytes - held) : chunk.length;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      pieces.push(kept);
      held += kept.length;
    }
  };
  const skippedAll = () => {
    skipping = false;
    skipped?.(index, start);
  };
  const mark = { bytes: 0 };
  for await (const data of bytesOf(input, mark)) {
    base += mark.bytes; // the byte-order mark: before line 0's text, within its span
    mark.bytes = 0;
    let next = 0; // the first byte of `data` not yet taken
    for (let at = data.indexOf(newline); at !== -1; at = data.indexOf(newline, next)) {
      if (skipping) {
        index++;
        start = base + at + 1;
        if (index >= from) skippedAll();
      } else {
        take(data.subarray(next, at));
        yield finish(base + at + 1);
      }
      next = at + 1;
    }
    if (next < data.length) take(data.subarray(next));
    base += data.length;
  }
  if (skipping) {
    // The input ended within the lines to skip: a last line without its newline is one too.
    if (base > start) {
      index++;
      start = base;
    }
    skippedAll();
  }
  if (length > 0) yield finish(base);
}

const byteOrderMark = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The chunks of `input` as Buffers (text as UTF-8), a UTF-8 byte-order mark
 * at its start left out: its length is put in `mark.bytes` just before the
 * first chunk is yielded.
 */
async function* bytesOf(input: AsyncIterable<unknown>, mark: { bytes: number }): AsyncGenerator<Buffer> {
  // The input's first bytes, held until they show whether a mark starts it.
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of input) {
    const data = toBuffer(chunk);
    if (head === undefined) {
      yield data;
      continue;
    }
    head = head.length === 0 ? data : Buffer.concat([head, data]);
    if (head.length < byteOrderMark.length && byteOrderMark.subarray(0, head.length).equals(head)) continue;
    const marked = head.subarray(0, byteOrderMark.length).equals(byteOrderMark);
    if (marked) mark.bytes = byteOrderMark.length;
    const rest = marked ? head.subarray(byteOrderMark.length) : head;
    head = undefined;
    yield rest;
  }
  if (head !== undefined && head.length > 0) yield head; // shorter than a mark
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidOptionError('input', 'a stream of Buffers, Uint8Arrays or strings (not an object-mode stream of other values)', chunk);
}
