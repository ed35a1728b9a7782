// Stage 2, branch "words": features of the free-text note.
const risky = new Set(['urgent', 'gift', 'crypto', 'wire', 'refund', 'overseas']);

export default function words({ note }) {
  const tokens = note.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const flagged = tokens.filter((token) => risky.has(token));
  return { tokens: tokens.length, flagged };
}
