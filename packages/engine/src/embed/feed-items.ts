import { InvalidMessageError, TidemarkError, describeThrown, show } from '../errors.js';
import type { SourceRecord } from '../message.js';
import { isCloneError } from './clone-error.js';
import type { RemoteCall } from './remote-call.js';
import { toWireError } from './wire-error.js';
import { toItemColumns } from './item-columns.js';


/**
 * Send a host source's `items` to run `run`. A batch that cannot cross (an
 * item holding a function, or a class instance over a WebSocket) is sent
 * item by item, and each item that cannot cross becomes a failed record
 * (`InvalidMessageError`, showing the value) in its place: nothing is lost.
 */
export async function feedItems(remote: RemoteCall, run: number, items: SourceRecord[], end?: { error: unknown }): Promise<void> {
  const last = end === undefined ? undefined : end.error === undefined ? {} : { error: toWireError(end.error) };
  try {
    await (last === undefined ? remote.call('feed', run, toItemColumns(items)) : remote.call('feed', run, toItemColumns(items), last));
  } catch (error) {
    if (!cannotCross(error)) throw error;
    for (const item of items) {
      try {
        await remote.call('feed', run, toItemColumns([item]));
      } catch (itemError) {
        if (!cannotCross(itemError)) throw itemError;
        const reason = describeThrown(itemError);
        const offset = readOffset(item);
        const error = toWireError(new InvalidMessageError(`the item cannot cross to the remote engine (${reason})`));
        await remote.call('feed', run, { values: [safeShow(item)], ...(typeof offset === 'number' ? { fields: { offset: [offset] } } : {}), errors: [[0, error]] });
      }
    }
    if (last !== undefined) await remote.call('feed', run, { values: [] }, last);
  }
}

/**
 * Whether sending failed here, on the host, for what the items hold (a
 * structured clone's or devalue's refusal, a getter or Proxy trap that threw
 * as the value was copied, a value nested too deep): not an answer of the
 * far side (a Tidemark error) nor the connection going.
 */
function cannotCross(error: unknown): boolean {
  return isCloneError(error) || !(error instanceof TidemarkError);
}

function safeShow(item: unknown): string {
  try {
    return show(item);
  } catch {
    return '[an item that cannot be read]';
  }
}

function readOffset(item: unknown): unknown {
  try {
    return (item as { offset?: unknown }).offset;
  } catch {
    return undefined;
  }
}
