// Stage 3, "score": one anomaly score from the joined features.
export default function score(features) {
  const outlier = Math.min(features.outlier / 50, 1);
  const words = Math.min(features.flagged.length / 2, 1);
  const value = Math.round((0.7 * outlier + 0.3 * words) * 1000) / 1000;
  return { score: value, alert: value >= 0.5, ...features };
}
