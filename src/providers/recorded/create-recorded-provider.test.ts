import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import type { ChatCompletionRequest } from '../chat-completion.ts';
import type { ProviderCall } from '../provider.ts';
import { createRecordedProvider } from './create-recorded-provider.ts';
import { createRouteLLMGsm8kProviders, loadRecordedAnswers } from './load-recorded-answers.ts';

function call(request: ChatCompletionRequest): ProviderCall {
  return { request, upstreamModel: 'recorded-model', signal: new AbortController().signal, requestId: 'request-1' };
}

describe('createRecordedProvider', () => {
  const provider = createRecordedProvider({
    id: 'replay',
    records: [
      { prompt: 'What is 2+2?', answer: 'The answer is 4.', correct: true },
      { prompt: 'What is 2+2?', answer: 'a later duplicate is ignored' },
    ],
  });

  it('is a recorded, on-prem provider', () => {
    expect(provider.kind).toBe('recorded');
    expect(provider.deployment).toBe('on-prem');
    expect(provider.size).toBe(1);
  });

  it('answers the last user message, matched after whitespace normalisation', async () => {
    const result = await provider.complete(
      call({
        model: 'x',
        messages: [
          { role: 'user', content: 'earlier turn' },
          { role: 'user', content: '  What   is\n2+2? ' },
        ],
      }),
    );
    expect(result.response.choices?.[0]?.message?.content).toBe('The answer is 4.');
    expect(result.response.choices?.[0]?.finish_reason).toBe('stop');
    expect(result.response.model).toBe('recorded-model');
  });

  it('counts usage with the cl100k_base tokenizer over every message and the answer', async () => {
    const result = await provider.complete(
      call({
        model: 'x',
        messages: [
          { role: 'system', content: 'earlier turn' },
          { role: 'user', content: 'What is 2+2?' },
        ],
      }),
    );
    // "ear" "lier" " turn" = 3; "What" " is" " " "2" "+" "2" "?" = 7; "The" " answer" " is" " " "4" "." = 6
    expect(result.usage).toEqual({
      inputTokens: 10,
      cachedInputTokens: 0,
      outputTokens: 6,
      reasoningTokens: 0,
      source: 'tokenizer',
    });
    expect(result.response.usage).toEqual({ prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 });
  });

  it('rejects an unknown prompt with invalid_request, without quoting it', async () => {
    const error = await provider
      .complete(call({ model: 'x', messages: [{ role: 'user', content: 'secret question' }] }))
      .catch((caught: unknown) => caught);
    expect(isRightsizeError(error, 'invalid_request')).toBe(true);
    expect((error as Error).message).toContain('replay');
    expect((error as Error).message).not.toContain('secret');
  });
});

describe('recordings from files', () => {
  it('reads a CSV recording with correctness and score', () => {
    const records = loadRecordedAnswers(fileURLToPath(new URL('./fixtures/recording.csv', import.meta.url)));
    expect(records).toEqual([
      { prompt: 'What is 2+2?', answer: 'The answer is 4.', correct: true, score: 9 },
      { prompt: 'Name a colour\nof the sky.', answer: 'Blue', correct: false },
    ]);
  });

  it("replays RouteLLM's GSM8K answers as a weak and a strong provider", async () => {
    const { weak, strong } = createRouteLLMGsm8kProviders();
    expect(weak.size).toBe(1307);
    expect(strong.size).toBe(1307);
    // eval_idx 0 (Janet's ducks) is contaminated: RouteLLM removes it, so it is not recorded.
    expect(
      weak.lookup(
        "Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?",
      ),
    ).toBeUndefined();
    const toula =
      'Toula went to the bakery and bought various types of pastries. She bought 3 dozen donuts which cost $68 per dozen, 2 dozen mini cupcakes which cost $80 per dozen, and 6 dozen mini cheesecakes for $55 per dozen. How much was the total cost?';
    expect(strong.lookup(toula)?.correct).toBe(true);
    expect(weak.lookup(toula)?.correct).toBe(false);
    const answer = await weak.complete(call({ model: 'x', messages: [{ role: 'user', content: toula }] }));
    expect(answer.response.choices?.[0]?.message?.content).toContain('36 donuts');
  });
});
