/**
 * The transform module that runs the reduce module at `moduleUrl` (a
 * `file:` or `data:` URL) in the workers: give it to the engine as the
 * transform, and send it reduce ops (reduce-protocol.ts) as the messages'
 * values. Each reduce module URL is a runner module, and a reduce state, of
 * its own.
 *
 * @example
 * new Engine({ transform: reduceRunnerUrl(new URL('./sum.js', import.meta.url).href), … })
 */
export function reduceRunnerUrl(moduleUrl: string): string {
  const url = new URL('./reduce-runner.js', import.meta.url);
  url.search = `?module=${encodeURIComponent(moduleUrl)}`;
  return url.href;
}
