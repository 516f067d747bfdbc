import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { defaultDataRoot } from './data-root.ts';
import type { OutcomeItem, OutcomeSet } from './outcome-set.ts';
import { readContaminatedPrompts } from './read-contaminated-prompts.ts';

/** RouteLLM's routed pair (lm-sys/RouteLLM `routellm/model_pair.py`). */
export const ROUTELLM_WEAK_MODEL = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
export const ROUTELLM_STRONG_MODEL = 'gpt-4-1106-preview';

/** Options of the RouteLLM loaders. */
export interface RouteLLMLoadOptions {
  /** Folder holding `routellm-gsm8k/`, `routellm-mmlu/`, `routellm-mtbench/`. @default `../shared/data` */
  dataRoot?: string;
}

/** Parses RouteLLM's `True` / `False` cells (pandas' boolean spelling). */
export function parsePythonBoolean(value: string | undefined, where: string): boolean {
  if (value === 'True') return true;
  if (value === 'False') return false;
  throw new RightsizeError('invalid_input', `${where}: expected True or False, got ${JSON.stringify(value)}`);
}

/** Reads a CSV file with a header row into records keyed by column name. */
export function readCsvRecords(path: string): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RightsizeError('invalid_input', `cannot read ${path}: check the data folder (--data-root)`, { cause });
  }
  return parse(text, { columns: true, skip_empty_lines: true, relax_column_count: false }) as Record<string, string>[];
}

/**
 * Loads RouteLLM's GSM8K outcomes (`routellm-gsm8k/gsm8k_responses.csv`): 1,319 prompts with each
 * model's correctness and full answer, minus the 12 contaminated `eval_prompt`s = 1,307 items.
 * Expected: weak (Mixtral-8x7B-Instruct) 63.73 %, strong (GPT-4-1106-preview) 85.77 % accuracy.
 * Source: lm-sys/RouteLLM `routellm/evals/gsm8k/`, commit 0b64fdaf; Ong et al. 2024.
 * @throws RightsizeError `invalid_input` when a file is missing or malformed.
 */
export function loadRouteLLMGsm8k(options: RouteLLMLoadOptions = {}): OutcomeSet {
  const folder = join(options.dataRoot ?? defaultDataRoot(), 'routellm-gsm8k');
  const contaminated = readContaminatedPrompts(join(folder, 'contaminated_prompts.jsonl'));
  const rows = readCsvRecords(join(folder, 'gsm8k_responses.csv'));
  const items: OutcomeItem[] = [];
  for (const [index, row] of rows.entries()) {
    const prompt = row['prompt'];
    if (prompt === undefined) throw new RightsizeError('invalid_input', 'gsm8k_responses.csv has no prompt column');
    if (contaminated.has(prompt)) continue;
    const where = `gsm8k_responses.csv row ${index + 2}`;
    items.push({
      id: `gsm8k-${index}`,
      prompt,
      weakAnswer: row[`${ROUTELLM_WEAK_MODEL}_response`] ?? '',
      strongAnswer: row[`${ROUTELLM_STRONG_MODEL}_response`] ?? '',
      weakQuality: parsePythonBoolean(row[ROUTELLM_WEAK_MODEL], where) ? 1 : 0,
      strongQuality: parsePythonBoolean(row[ROUTELLM_STRONG_MODEL], where) ? 1 : 0,
    });
  }
  return {
    name: 'gsm8k',
    qualityKind: 'accuracy',
    weakModel: ROUTELLM_WEAK_MODEL,
    strongModel: ROUTELLM_STRONG_MODEL,
    items,
  };
}
