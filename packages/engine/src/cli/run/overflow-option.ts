import { Option } from 'commander';
import { overflowPolicies } from '../../buffers/buffer-limit.js';
import type { OverflowPolicy } from '../../buffers/buffer-limit.js';

/** What each overflow policy does, in a few words (the README's Buffers section says the rest). */
const policyHelp: Record<OverflowPolicy, string> = {
  block: 'block waits',
  'drop-oldest': 'drop-oldest drops the message that has waited longest',
  'drop-newest': 'drop-newest drops the arriving message',
  reject: 'reject makes it a failed record',
};

/**
 * `--<buffer>-overflow <policy>` of `tidemark run`: what a message arriving
 * at that full buffer does, said for each policy the buffer takes (and that
 * batch mode takes only `block`, as the engine says).
 */
export function overflowOption(buffer: string, choices: readonly OverflowPolicy[] = overflowPolicies): Option {
  const none = choices.includes('drop-oldest') ? '' : ' (no drop-oldest: a message at a worker cannot be taken back)';
  return new Option(
    `--${buffer}-overflow <policy>`,
    `what a message arriving at the full ${buffer} buffer does: ${choices.map((policy) => policyHelp[policy]).join(', ')}${none}; ` +
      'batch mode takes only block (a batch leaves whole); ' +
      'dropped messages are counted in the summary and, with --dead-letter, written there (default: block)',
  ).choices(choices);
}
