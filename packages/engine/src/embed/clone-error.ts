/** Whether `error` is a structured clone's (or the WebSocket codec's) refusal of a value. */
export function isCloneError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'DataCloneError' || error.name === 'DevalueError');
}
