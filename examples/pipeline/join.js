// Stage 2's join: runs once both branches are in, with { words, numbers }
// (each branch's output).
export default function join({ words, numbers }) {
  return { ...numbers, tokens: words.tokens, flagged: words.flagged };
}
