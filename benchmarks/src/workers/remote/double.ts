/**
 * The remote benchmark's trivial transform (overhead-remote-run.ts): the value
 * doubled, so the figure measured around it is the cost of getting a message
 * to a worker and its record back, in-process or across to a remote engine.
 * `tidemark serve` serves this folder, so the WebSocket host names it
 * `double.js`.
 */
export default (value: number): number => value * 2;
