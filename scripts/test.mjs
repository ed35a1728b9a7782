#!/usr/bin/env node
// Runs every package's tests in one node:test run, so the output ends with
// the runner's summary. Node 20's --test does not expand globs itself.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages/watermark', 'packages/workers', 'packages/engine', 'benchmarks'];
const files = roots.flatMap((root) => collect(join(root, 'test')));
const extra = process.argv.slice(2);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...extra, ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);

function collect(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}
