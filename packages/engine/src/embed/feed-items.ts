import { InvalidMessageError, show } from '../errors.js';
import type { SourceRecord } from '../message.js';
import { isCloneError } from './clone-error.js';
import type { RemoteCall } from './remote-call.js';
import { toWireError } from './wire-error.js';

type Item = SourceRecord | readonly SourceRecord[];

/**
 * Send a host source's `items` to run `run`. A batch that cannot cross (an
 * item holding a function, or a class instance over a WebSocket) is sent
 * item by item, and each item that cannot cross becomes a failed record
 * (`InvalidMessageError`, showing the value) in its place: nothing is lost.
 */
export async function feedItems(remote: RemoteCall, run: number, items: Item[], end?: { error: unknown }): Promise<void> {
  const last = end === undefined ? undefined : end.error === undefined ? {} : { error: toWireError(end.error) };
  try {
    await remote.call('feed', run, items, last);
  } catch (error) {
    if (!isCloneError(error)) throw error;
    for (const item of items) {
      try {
        await remote.call('feed', run, [item]);
      } catch (itemError) {
        if (!isCloneError(itemError)) throw itemError;
        const reason = itemError instanceof Error ? itemError.message : String(itemError);
        const offset = (item as { offset?: unknown }).offset;
        await remote.call('feed', run, [
          {
            value: show(item),
            ...(typeof offset === 'number' ? { offset } : {}),
            error: toWireError(new InvalidMessageError(`the item cannot cross to the remote engine (${reason})`)) as unknown as Error,
          },
        ]);
      }
    }
    if (last !== undefined) await remote.call('feed', run, [], last);
  }
}
