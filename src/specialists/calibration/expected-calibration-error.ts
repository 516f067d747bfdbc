/**
 * Expected calibration error: the coverage-weighted mean gap between confidence and accuracy over
 * equal-width confidence bins (Naeini et al. 2015; as used by Guo et al. 2017, "On calibration of
 * modern neural networks", with 15 bins).
 * @param confidences top-label probabilities in [0, 1].
 * @param correct whether each top label was right.
 * @returns ECE in [0, 1]; 0 for no items.
 */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly boolean[],
  bins = 15,
): number {
  const count = confidences.length;
  if (count === 0) return 0;
  const sumConfidence = new Float64Array(bins);
  const sumCorrect = new Float64Array(bins);
  const sizes = new Float64Array(bins);
  confidences.forEach((confidence, index) => {
    const bin = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
    sumConfidence[bin] = sumConfidence[bin]! + confidence;
    sumCorrect[bin] = sumCorrect[bin]! + (correct[index] ? 1 : 0);
    sizes[bin] = sizes[bin]! + 1;
  });
  let error = 0;
  for (let bin = 0; bin < bins; bin++) {
    if (sizes[bin] === 0) continue;
    error += Math.abs(sumConfidence[bin]! - sumCorrect[bin]!) / count;
  }
  return error;
}
