import { WebSocket } from 'ws';

/** The WebSocket close code for a message too big to process. */
export const MESSAGE_TOO_BIG = 1009;

/** Why a connection that sent a frame over the limit is closed. */
export function frameLimitReason(maxFrameBytes: number): string {
  return `a frame over --max-frame-bytes (${maxFrameBytes} bytes)`;
}

/** The `code` of `ws`'s error for a frame over `maxPayload`. */
export const FRAME_TOO_BIG_ERROR = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

/**
 * The `ws` socket class `tidemark serve` accepts connections with. `ws`
 * refuses a frame over `maxPayload` as its header arrives, before buffering
 * it, and closes with 1009 but no reason; this class adds the reason, so the
 * host learns which limit it hit.
 */
export function frameLimitedSocket(maxFrameBytes: number): typeof WebSocket {
  const reason = frameLimitReason(maxFrameBytes);
  return class FrameLimitedSocket extends WebSocket {
    override close(code?: number, data?: string | Buffer): void {
      super.close(code, code === MESSAGE_TOO_BIG && data === undefined ? reason : data);
    }
  };
}
