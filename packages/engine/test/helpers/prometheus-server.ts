import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WAIT_LIMIT_MS } from './wait.js';

// A real Prometheus (Debian's; .ci/run installs it) on 127.0.0.1, scraping
// the given targets every second, with the HTTP query API to read what it saw.

export const prometheusBinary = '/usr/bin/prometheus';

/** One series of an instant query's result. */
export interface Series {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A running Prometheus. */
export interface Prometheus {
  /** An instant query's result vector. */
  query(expr: string): Promise<Series[]>;
  /**
   * Query until `ready(result)` holds, asking again a few times a second
   * (Prometheus scrapes every second); fails saying `what`, with the last
   * result, past the wait bound.
   */
  queryUntil(expr: string, ready: (result: Series[]) => boolean, what: string): Promise<Series[]>;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Start Prometheus scraping `targets` (`host:port`) every second; resolves once it is ready. */
export async function startPrometheus(targets: readonly string[]): Promise<Prometheus> {
  if (!existsSync(prometheusBinary)) {
    throw new Error(`${prometheusBinary} is missing: install Debian's prometheus (apt-get install -y prometheus), as .ci/run does`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: tidemark',
      '    static_configs:',
      `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    prometheusBinary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  /** Ask `path` until `ok(response)` or the bound; a few times a second. */
  const poll = async <T>(ask: () => Promise<T | undefined>, what: string, last: () => unknown): Promise<T> => {
    const deadline = performance.now() + WAIT_LIMIT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}) while waiting for ${what}: ${log}`);
      const answer = await ask().catch(() => undefined);
      if (answer !== undefined) return answer;
      if (performance.now() > deadline) throw new Error(`still waiting after ${WAIT_LIMIT_MS} ms for ${what}; last: ${JSON.stringify(last())}`);
      await sleep(200);
    }
  };

  const query = async (expr: string): Promise<Series[]> => {
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
    return body.data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
  };

  try {
    await poll(async () => ((await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined), 'prometheus to be ready', () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    query,
    async queryUntil(expr, ready, what) {
      let last: Series[] = [];
      return poll(
        async () => {
          last = await query(expr);
          return ready(last) ? last : undefined;
        },
        what,
        () => last,
      );
    },
    stop,
  };
}
