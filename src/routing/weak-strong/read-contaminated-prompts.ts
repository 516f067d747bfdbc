import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RightsizeError } from '../../errors/rightsize-error.ts';

const contaminationRowSchema = z.looseObject({ eval_prompt: z.string() });

/**
 * Reads a RouteLLM `contaminated_prompts.jsonl` and returns its `eval_prompt` values, the prompts
 * RouteLLM removes before evaluating (exact string match, as `benchmarks.py` does with `isin`).
 * Source: lm-sys/RouteLLM `routellm/evals/benchmarks.py`, commit 0b64fdaf.
 * @throws RightsizeError `invalid_input` when the file is missing or a line is malformed.
 */
export function readContaminatedPrompts(path: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RightsizeError('invalid_input', `cannot read ${path}: check the RouteLLM data folder (--data-root)`, {
      cause,
    });
  }
  const prompts = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parsed = contaminationRowSchema.safeParse(JSON.parse(line));
    if (!parsed.success) {
      throw new RightsizeError('invalid_input', `${path} line ${index + 1} has no string eval_prompt`);
    }
    prompts.add(parsed.data.eval_prompt);
  }
  return prompts;
}
