import assert from 'node:assert/strict';
import { WAIT_LIMIT_MS, within } from './wait.js';

/** The samples of a Prometheus text exposition as `name{labels}` → value. */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** Scrape /metrics on 127.0.0.1:`port` over real HTTP (bounded) and read its samples. */
export async function scrape(port: number): Promise<Map<string, number>> {
  const response = await within(fetch(`http://127.0.0.1:${port}/metrics`), `a scrape of port ${port}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  return parseSamples(await response.text());
}

/**
 * Scrape until `ready(samples)` holds (each scrape a real request, no timer
 * between them); fails saying `what`, with the last samples, past the bound.
 */
export async function scrapeUntil(port: number, ready: (samples: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
  const deadline = performance.now() + WAIT_LIMIT_MS;
  for (;;) {
    const samples = await scrape(port);
    if (ready(samples)) return samples;
    if (performance.now() > deadline) {
      const tidemark = [...samples].filter(([name]) => name.startsWith('tidemark_') && !name.startsWith('tidemark_stage'));
      throw new Error(`still waiting after ${WAIT_LIMIT_MS} ms for ${what}; last scrape: ${JSON.stringify(tidemark)}`);
    }
  }
}

/** The value of sample `key`; fails when the scrape has no such sample. */
export function sample(samples: Map<string, number>, key: string): number {
  const found = samples.get(key);
  assert.notEqual(found, undefined, `no sample ${key}`);
  return found as number;
}
