import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { defaultShutdownTimeout } from '../src/cli/run/run-command.js';
import { defaultMaxRecordBytes } from '../src/io/ndjson-source.js';
import { resolveOptions } from '../src/options/resolve-options.js';
import { cliFixture, requireBuiltCli, tidemark } from './helpers/cli.js';

// `tidemark run --help` says what each overflow policy a buffer takes does,
// under each `--*-overflow` flag, and lists every engine option the CLI sets.
before(requireBuiltCli);

/** Each flag's help text, its wrapped lines joined: `--input-overflow` -> "what a message …". */
function flagHelp(help: string): Map<string, string> {
  const flags = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split('\n')) {
    const start = /^ {2}(-[\w-]+(?:, --[\w-]+)?)(?: <\w+>)?\s+(.*)$/.exec(line);
    if (start !== null) {
      const flag = (start[1] as string).split(', ').at(-1) ?? '';
      current = flag;
      flags.set(flag, start[2] as string);
    } else if (current !== undefined && /^\s{10,}\S/.test(line)) {
      flags.set(current, `${flags.get(current)} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  return flags;
}

test('run --help explains every overflow policy under each --*-overflow flag, and only the ones it takes', async () => {
  const exit = await tidemark(['run', '--help']);
  assert.equal(exit.code, 0, exit.stderr);
  const flags = flagHelp(exit.stdout);
  // What each policy does, in a few words each (the README's Buffers section has the rest).
  const explained: Record<string, RegExp> = {
    block: /\bblock waits\b/,
    'drop-oldest': /\bdrop-oldest drops the message that has waited longest\b/,
    'drop-newest': /\bdrop-newest drops the arriving message\b/,
    reject: /\breject makes it a failed record\b/,
  };
  const takes: Record<string, string[]> = {
    '--input-overflow': ['block', 'drop-oldest', 'drop-newest', 'reject'],
    '--processing-overflow': ['block', 'drop-newest', 'reject'],
    '--output-overflow': ['block', 'drop-oldest', 'drop-newest', 'reject'],
  };
  for (const [flag, policies] of Object.entries(takes)) {
    const text = flags.get(flag);
    assert.ok(text !== undefined, `${flag} in the help:\n${exit.stdout}`);
    for (const [policy, words] of Object.entries(explained)) {
      if (policies.includes(policy)) assert.match(text, words, `${flag} explains ${policy}: ${text}`);
      else assert.doesNotMatch(text, words, `${flag} does not offer ${policy}: ${text}`);
    }
    assert.match(text, /dropped messages? (?:are|is) counted in the summary/, `${flag} says where dropped messages go: ${text}`);
    assert.match(text, new RegExp(`choices: ${policies.map((policy) => `"${policy}"`).join(', ')}`), text);
    assert.match(text, /default: "?block"?/, text);
    assert.match(text, /\bbatch mode takes only block\b/, `${flag} says what batch mode takes: ${text}`);
  }
  assert.match(flags.get('--processing-overflow') ?? '', /no drop-oldest: a message at a worker cannot be taken back/);
});

test('run --help lists the engine options the CLI sets, with the defaults the engine fills in', async () => {
  const exit = await tidemark(['run', '--help']);
  assert.equal(exit.code, 0, exit.stderr);
  const flags = flagHelp(exit.stdout);
  const engine = resolveOptions({ transform: cliFixture('cli-upper.js') });
  // `retry.backoff.max` defaults to the larger of a floor and `initial`: the floor is what the default initial gets.
  assert.equal(resolveOptions({ transform: cliFixture('cli-upper.js'), retry: { backoff: { initial: engine.retry.max + 1 } } }).retry.max, engine.retry.max + 1);
  const rows: [string, RegExp][] = [
    ['--timeout', new RegExp(String.raw`TimeoutError.*\(default: ${engine.timeout}, no limit\)`)],
    ['--transport', new RegExp(String.raw`ring.*task.*default: "?${engine.transport}"?\)`)],
    ['--ring-bytes', new RegExp(String.raw`power of two from 4096 to 2\^30.*\(default: ${engine.ringBytes}\)`)],
    ['--attempts', new RegExp(String.raw`\(default: ${engine.retry.attempts}\)`)],
    ['--retry-initial', new RegExp(String.raw`\(default: ${engine.retry.initial}\)`)],
    ['--retry-max', new RegExp(String.raw`\(default: the larger of ${engine.retry.max} and --retry-initial\)`)],
    ['--idle-after', new RegExp(String.raw`\(default: ${engine.watermark.idleAfter}\)`)],
    ['--max-out-of-orderness', new RegExp(String.raw`\(default: ${engine.watermark.maxOutOfOrderness}\)`)],
    ['--max-record-bytes', new RegExp(String.raw`\(default: ${defaultMaxRecordBytes / 2 ** 20} MiB\)`)],
    ['--shutdown-timeout', new RegExp(String.raw`\(default: ${defaultShutdownTimeout}\)`)],
  ];
  for (const [flag, text] of rows) assert.match(flags.get(flag) ?? `${flag} missing`, text, flag);
});
