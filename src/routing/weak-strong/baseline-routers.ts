import type { OutcomeItem } from './outcome-set.ts';
import { seededRandom } from './seeded-random.ts';

/**
 * The random router: each prompt gets a uniform score in [0, 1), drawn from a seeded generator
 * (RouteLLM's `RandomRouter` with `random.seed(0)`). Its APGR is about 0.5 and its CPT(x) about x.
 */
export function randomRouterScores(count: number, seed = 0): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => random());
}

/**
 * The oracle router: it reads the outcomes, so it is a bound, not a router. Its score is the strong
 * model's gain over the weak one (`strongQuality - weakQuality`) plus a seeded tie-break below any
 * gain difference, so decile thresholds fall between prompts of equal gain.
 */
export function oracleRouterScores(
  items: readonly Pick<OutcomeItem, 'weakQuality' | 'strongQuality'>[],
  seed = 0,
): number[] {
  const random = seededRandom(seed);
  return items.map((item) => item.strongQuality - item.weakQuality + random() * 1e-6);
}
