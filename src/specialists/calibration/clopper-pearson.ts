/**
 * One-sided Clopper-Pearson ("exact") lower confidence bound of a binomial proportion: the
 * smallest p such that P(X >= successes | n, p) >= 1 - confidence, i.e. the
 * (1 - confidence) quantile of Beta(successes, n - successes + 1).
 * Source: Clopper & Pearson 1934, "The use of confidence or fiducial limits illustrated in the
 * case of the binomial", Biometrika 26(4).
 * @param successes correct items, 0 <= successes <= trials.
 * @param trials items.
 * @param confidence e.g. 0.95.
 * @returns the bound in [0, 1]; 0 when there are no successes.
 */
export function clopperPearsonLowerBound(successes: number, trials: number, confidence: number): number {
  if (trials <= 0 || successes <= 0) return 0;
  const alpha = 1 - confidence;
  if (successes >= trials) return alpha ** (1 / trials);
  // Bisection on the regularised incomplete beta: I_p(successes, trials - successes + 1) = alpha.
  let low = 0;
  let high = 1;
  for (let iteration = 0; iteration < 100; iteration++) {
    const middle = (low + high) / 2;
    if (regularizedIncompleteBeta(middle, successes, trials - successes + 1) < alpha) low = middle;
    else high = middle;
    if (high - low < 1e-12) break;
  }
  return (low + high) / 2;
}

/**
 * The regularised incomplete beta function I_x(a, b), by its continued fraction evaluated with
 * the modified Lentz method (Press et al., Numerical Recipes, 3rd ed., section 6.4).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(logFront);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let term = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    term = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + term * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + term / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    result *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return result;
}

/** ln Gamma(x) for x > 0 (Lanczos approximation, g = 7, n = 9; Numerical Recipes section 6.1). */
export function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0]!;
  for (let index = 1; index < 9; index++) sum += coefficients[index]! / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
