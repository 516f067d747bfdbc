import type { ModelClass, ModelEntry } from './catalog.ts';

/**
 * Largest parameter count of a small model (`slm`), from DESIGN.md ("1M-10B params").
 * @default 10e9
 */
export const SLM_MAX_PARAMETERS = 10e9;

/**
 * The class of a model: its `class` when given, else inferred, in this order:
 * provider `human` -> `human`; `capabilities.reasoning` -> `reasoning`; text-only input and at most
 * {@link SLM_MAX_PARAMETERS} parameters -> `slm`; image or audio input -> `multimodal`; at most
 * {@link SLM_MAX_PARAMETERS} parameters -> `slm` (unreachable after the above, kept for clarity); else `llm`.
 * A `single-task` model (a trained specialist) is always `slm` unless its class says otherwise.
 */
export function inferModelClass(
  entry: Pick<ModelEntry, 'class' | 'provider' | 'parameters' | 'inputModalities' | 'capabilities' | 'scope'>,
): ModelClass {
  if (entry.class) return entry.class;
  if (entry.provider === 'human') return 'human';
  if (entry.capabilities?.reasoning) return 'reasoning';
  if (entry.scope === 'single-task') return 'slm';
  const small = entry.parameters !== undefined && entry.parameters <= SLM_MAX_PARAMETERS;
  const rich = entry.inputModalities.some((modality) => modality !== 'text');
  if (small && !rich) return 'slm';
  if (rich) return 'multimodal';
  return 'llm';
}
