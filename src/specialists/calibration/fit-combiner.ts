/** Smallest probability whose logarithm a combiner takes. */
const LOG_FLOOR = 1e-12;

/**
 * Combines components' probability vectors: score(c) = sum_i weight_i x ln p_i(c), then softmax.
 * With one component this is temperature scaling with temperature 1 / weight.
 */
export function combineProbabilities(components: readonly Float64Array[], weights: readonly number[]): Float64Array {
  const classes = components[0]?.length ?? 0;
  const scores = new Float64Array(classes);
  components.forEach((probabilities, index) => {
    const weight = weights[index] ?? 0;
    if (weight === 0) return;
    for (let c = 0; c < classes; c++)
      scores[c] = scores[c]! + weight * Math.log(Math.max(LOG_FLOOR, probabilities[c]!));
  });
  return softmaxInPlace(scores);
}

/** Replaces scores with softmax(scores), stably. */
export function softmaxInPlace(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) if (scores[c]! > max) max = scores[c]!;
  let total = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c]! - max);
    total += scores[c]!;
  }
  for (let c = 0; c < scores.length; c++) scores[c] = scores[c]! / total;
  return scores;
}

/**
 * Fits non-negative component weights on validation items by minimising the mean negative
 * log-likelihood of {@link combineProbabilities}. The loss is convex in the weights (a multinomial
 * logistic regression whose features are the components' log-probabilities), so projected
 * gradient descent (Adam, 400 steps) finds its minimum; the overall scale of the weights is the
 * inverse temperature (Guo et al. 2017, "On calibration of modern neural networks").
 * @param components per component, per item, the probability vector.
 * @param labels the true label index of each item.
 * @returns weights and the validation NLL (nats per item) at them.
 */
export function fitCombinerWeights(
  components: readonly (readonly Float64Array[])[],
  labels: readonly number[],
): { weights: number[]; nll: number } {
  const componentCount = components.length;
  const items = labels.length;
  const classes = components[0]?.[0]?.length ?? 0;
  // logs[item][component * classes + c]
  const logs = Array.from({ length: items }, (_, item) => {
    const row = new Float64Array(componentCount * classes);
    for (let component = 0; component < componentCount; component++) {
      const probabilities = components[component]![item]!;
      for (let c = 0; c < classes; c++) row[component * classes + c] = Math.log(Math.max(LOG_FLOOR, probabilities[c]!));
    }
    return row;
  });
  const weights = new Array<number>(componentCount).fill(1 / componentCount);
  const moment1 = new Array<number>(componentCount).fill(0);
  const moment2 = new Array<number>(componentCount).fill(0);
  const scores = new Float64Array(classes);
  const evaluate = (gradient: number[] | undefined): number => {
    let loss = 0;
    gradient?.fill(0);
    for (let item = 0; item < items; item++) {
      const row = logs[item]!;
      scores.fill(0);
      for (let component = 0; component < componentCount; component++) {
        const weight = weights[component]!;
        const offset = component * classes;
        for (let c = 0; c < classes; c++) scores[c] = scores[c]! + weight * row[offset + c]!;
      }
      softmaxInPlace(scores);
      const target = labels[item]!;
      loss -= Math.log(Math.max(LOG_FLOOR, scores[target]!));
      if (!gradient) continue;
      for (let component = 0; component < componentCount; component++) {
        const offset = component * classes;
        let expected = 0;
        for (let c = 0; c < classes; c++) expected += scores[c]! * row[offset + c]!;
        gradient[component] = gradient[component]! + (expected - row[offset + target]!) / items;
      }
    }
    return loss / items;
  };
  const gradient = new Array<number>(componentCount).fill(0);
  const rate = 0.05;
  for (let step = 1; step <= 400; step++) {
    evaluate(gradient);
    for (let component = 0; component < componentCount; component++) {
      const g = gradient[component]!;
      moment1[component] = 0.9 * moment1[component]! + 0.1 * g;
      moment2[component] = 0.999 * moment2[component]! + 0.001 * g * g;
      const m = moment1[component]! / (1 - 0.9 ** step);
      const v = moment2[component]! / (1 - 0.999 ** step);
      weights[component] = Math.max(0, weights[component]! - (rate * m) / (Math.sqrt(v) + 1e-9));
    }
  }
  return { weights, nll: evaluate(undefined) };
}
