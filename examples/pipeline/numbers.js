// Stage 2, branch "numbers": features of the amounts. The outlier score
// compares each amount with every other one (quadratic in their number), so
// the few messages with hundreds of amounts take far longer than the rest:
// the latency skew that moving each message on its own is for.
export default function numbers({ amounts }) {
  const sorted = [...amounts].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const max = sorted.at(-1) ?? 0;
  // For each amount, how many others lie within 10% of it: a lone amount is an outlier.
  let lonely = 0;
  for (const amount of amounts) {
    let near = 0;
    for (const other of amounts) if (Math.abs(other - amount) <= amount * 0.1) near++;
    if (near <= 1) lonely++;
  }
  return { count: amounts.length, median, max, outlier: median === 0 ? 0 : max / median, lonely };
}
