import { loadOutcomeFile } from './load-outcome-file.ts';
import { loadRouteLLMGsm8k } from './load-routellm-gsm8k.ts';
import { loadRouteLLMMmlu } from './load-routellm-mmlu.ts';
import { loadRouteLLMMtBench } from './load-routellm-mtbench.ts';
import type { OutcomeSet } from './outcome-set.ts';

/** The RouteLLM sets known by name. */
export const ROUTELLM_SETS = ['gsm8k', 'mmlu', 'mtbench'] as const;
export type RouteLLMSetName = (typeof ROUTELLM_SETS)[number];

/** True when `data` names a RouteLLM set rather than a file. */
export function isRouteLLMSet(data: string): data is RouteLLMSetName {
  return (ROUTELLM_SETS as readonly string[]).includes(data);
}

/**
 * Loads `gsm8k`, `mmlu` or `mtbench` (RouteLLM's decontaminated sets from `dataRoot`), or else an
 * outcome file of your own (JSONL or CSV, see `loadOutcomeFile`).
 * @throws RightsizeError `invalid_input` when the data cannot be read.
 */
export function resolveOutcomeSet(data: string, options: { dataRoot?: string } = {}): OutcomeSet {
  const loadOptions = options.dataRoot === undefined ? {} : { dataRoot: options.dataRoot };
  if (data === 'gsm8k') return loadRouteLLMGsm8k(loadOptions);
  if (data === 'mmlu') return loadRouteLLMMmlu(loadOptions);
  if (data === 'mtbench' || data === 'mt-bench') return loadRouteLLMMtBench(loadOptions);
  return loadOutcomeFile(data);
}
