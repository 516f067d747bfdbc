import { describe, expect, it } from 'vitest';
import { loadRouteLLMGsm8k } from './load-routellm-gsm8k.ts';
import { loadRouteLLMMmlu } from './load-routellm-mmlu.ts';
import { extractJudgedAnswer, extractSecondTurnAnswer, loadRouteLLMMtBench } from './load-routellm-mtbench.ts';
import { modelQualities } from './outcome-set.ts';

// Figures from ../shared/data/SOURCES.md (RouteLLM's decontaminated evaluation sets).
describe('RouteLLM loaders', () => {
  it('GSM8K: 1,307 items, weak 63.73 %, strong 85.77 %', () => {
    const set = loadRouteLLMGsm8k();
    expect(set.items).toHaveLength(1307);
    const quality = modelQualities(set);
    expect(quality.weak * 100).toBeCloseTo(63.73, 2);
    expect(quality.strong * 100).toBeCloseTo(85.77, 2);
    expect(set.items.every((item) => item.weakAnswer && item.strongAnswer)).toBe(true);
  });

  it('MMLU: 14,037 items, weak 68.09 %, strong 80.59 %', () => {
    const set = loadRouteLLMMmlu();
    expect(set.items).toHaveLength(14037);
    const quality = modelQualities(set);
    expect(quality.weak * 100).toBeCloseTo(68.09, 2);
    expect(quality.strong * 100).toBeCloseTo(80.59, 2);
    expect(new Set(set.items.map((item) => item.category)).size).toBe(57);
  });

  it('MT-Bench: 72 questions, weak 8.281, strong 9.212, first-turn answers', () => {
    const set = loadRouteLLMMtBench();
    expect(set.items).toHaveLength(72);
    const quality = modelQualities(set);
    expect(quality.weak).toBeCloseTo(8.281, 3);
    expect(quality.strong).toBeCloseTo(9.212, 3);
    expect(set.items.every((item) => item.weakAnswer !== undefined && item.strongAnswer !== undefined)).toBe(true);
    expect(set.items.some((item) => (item.weakAnswer ?? '').includes('[The End'))).toBe(false);
    expect(set.items.every((item) => item.followUp?.weakAnswer && item.followUp.strongAnswer)).toBe(true);
    expect(set.items.some((item) => (item.followUp?.weakAnswer ?? '').includes('<|The End'))).toBe(false);
  });

  it('extracts the judged answer, not the reference answer', () => {
    const prompt =
      "[The Start of Reference Answer]\nref\n[The End of Reference Answer]\n\n[The Start of Assistant's Answer]\n mine\n[The End of Assistant's Answer]";
    expect(extractJudgedAnswer(prompt)).toBe(' mine');
    expect(extractJudgedAnswer('no answer here')).toBeUndefined();
    const conversation =
      "### User:\nq1\n\n### Assistant A:\na1\n\n### User:\nq2\n\n### Assistant A:\na2\n\n<|The End of Assistant A's Conversation with User|>";
    expect(extractSecondTurnAnswer(conversation)).toBe('a2');
  });
});
