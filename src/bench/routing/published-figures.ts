/**
 * RouteLLM's published figures on its own evaluation sets (Ong et al. 2024, "RouteLLM: Learning to
 * Route LLMs with Preference Data", arXiv:2406.18665), as ../shared/data/SOURCES.md states them.
 * The best routers' CPT(50 %) is derived from the paper's cost savings against the random router
 * (3.66x MT-Bench, 1.49x GSM8K, 1.41x MMLU, i.e. 50 % / savings). Shares in [0, 1].
 */
export interface PublishedFigures {
  /** The best RouteLLM router's CPT(50 %). */
  bestRouterCpt50: number;
  /** The oracle's CPT(50 %) and CPT(80 %), when published. */
  oracleCpt50?: number;
  oracleCpt80?: number;
}

export const ROUTELLM_PUBLISHED: Readonly<Record<'gsm8k' | 'mmlu' | 'mtbench', PublishedFigures>> = Object.freeze({
  gsm8k: { bestRouterCpt50: 0.336, oracleCpt50: 0.11, oracleCpt80: 0.176 },
  mmlu: { bestRouterCpt50: 0.355, oracleCpt50: 0.0625, oracleCpt80: 0.1 },
  mtbench: { bestRouterCpt50: 0.134 },
});
