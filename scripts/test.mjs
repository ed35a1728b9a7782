#!/usr/bin/env node
// Runs every package's tests in one node:test run, so the output ends with
// the runner's summary. Node 20's --test does not expand globs itself.
// A package whose test folder is missing or holds no test fails the run:
// tests that silently do not exist pass nothing. A test that depends on the
// engine's transport runs once per transport inside its own file (suites
// `ring` and `task`, packages/engine/test/helpers/transports.ts), so each
// file keeps one process and `--test-name-pattern="^task$"` picks one transport.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages/watermark', 'packages/workers', 'packages/engine', 'benchmarks'];
const files = roots.flatMap((root) => {
  const dir = join(root, 'test');
  const found = existsSync(dir) ? collect(dir) : [];
  if (found.length === 0) {
    console.error(`test: no *.test.ts under ${dir}: every package has tests`);
    process.exit(1);
  }
  return found;
});
// Every test gets a bound: a hang fails its test, naming it, instead of the run.
// A test that needs longer says so with its own `timeout`.
const timeout = ['--test-timeout=120000'];
const extra = process.argv.slice(2);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...timeout, ...extra, ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);

function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
