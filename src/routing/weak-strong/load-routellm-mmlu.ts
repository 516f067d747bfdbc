import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { defaultDataRoot } from './data-root.ts';
import {
  parsePythonBoolean,
  ROUTELLM_STRONG_MODEL,
  ROUTELLM_WEAK_MODEL,
  type RouteLLMLoadOptions,
  readCsvRecords,
} from './load-routellm-gsm8k.ts';
import type { OutcomeItem, OutcomeSet } from './outcome-set.ts';
import { readContaminatedPrompts } from './read-contaminated-prompts.ts';

/**
 * Loads RouteLLM's MMLU outcomes (`routellm-mmlu/responses/mmlu_<subject>.csv`, 57 subjects, read
 * in alphabetical order): 14,042 prompts with each model's correctness (no answer text), minus the
 * contaminated `eval_prompt`s = 14,037 items. Expected: weak 68.09 %, strong 80.59 % accuracy.
 * Source: lm-sys/RouteLLM `routellm/evals/mmlu/`, commit 0b64fdaf; Ong et al. 2024.
 * @throws RightsizeError `invalid_input` when a file is missing or malformed.
 */
export function loadRouteLLMMmlu(options: RouteLLMLoadOptions = {}): OutcomeSet {
  const folder = join(options.dataRoot ?? defaultDataRoot(), 'routellm-mmlu');
  const contaminated = readContaminatedPrompts(join(folder, 'contaminated_prompts.jsonl'));
  let files: string[];
  try {
    files = readdirSync(join(folder, 'responses'))
      .filter((name) => /^mmlu_.+\.csv$/.test(name))
      .sort();
  } catch (cause) {
    throw new RightsizeError('invalid_input', `cannot list ${folder}/responses: check --data-root`, { cause });
  }
  const items: OutcomeItem[] = [];
  for (const file of files) {
    const subject = file.slice('mmlu_'.length, -'.csv'.length);
    for (const [index, row] of readCsvRecords(join(folder, 'responses', file)).entries()) {
      const prompt = row['prompt'];
      if (prompt === undefined) throw new RightsizeError('invalid_input', `${file} has no prompt column`);
      if (contaminated.has(prompt)) continue;
      const where = `${file} row ${index + 2}`;
      items.push({
        id: `mmlu-${subject}-${index}`,
        prompt,
        weakQuality: parsePythonBoolean(row[ROUTELLM_WEAK_MODEL], where) ? 1 : 0,
        strongQuality: parsePythonBoolean(row[ROUTELLM_STRONG_MODEL], where) ? 1 : 0,
        category: subject,
      });
    }
  }
  return {
    name: 'mmlu',
    qualityKind: 'accuracy',
    weakModel: ROUTELLM_WEAK_MODEL,
    strongModel: ROUTELLM_STRONG_MODEL,
    items,
  };
}
