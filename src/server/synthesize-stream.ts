import type { ChatCompletionResponse, TokenUsage } from '../providers/chat-completion.ts';

/**
 * SSE events (`data: ...\n\n` strings, `[DONE]` last) that stream a finished completion: a role
 * chunk with the content, a chunk with the finish reason, and, when the client asked with
 * `stream_options.include_usage`, a usage chunk with empty `choices`, as OpenAI sends them.
 */
export function synthesizeStream(
  response: ChatCompletionResponse,
  model: string,
  usage: TokenUsage | undefined,
  includeUsage: boolean,
): string[] {
  const id = response.id ?? `chatcmpl-${Date.now()}`;
  const created = typeof response['created'] === 'number' ? response['created'] : Math.floor(Date.now() / 1000);
  const base = { id, object: 'chat.completion.chunk', created, model: response.model ?? model };
  const choice = response.choices?.[0];
  const logprobs = choice?.['logprobs'] ?? null;
  const events = [
    {
      ...base,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: choice?.message?.content ?? '' },
          logprobs,
          finish_reason: null,
        },
      ],
    },
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: choice?.finish_reason ?? 'stop' }] },
  ];
  if (includeUsage && usage) {
    events.push({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: usage.inputTokens,
        completion_tokens: usage.outputTokens,
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
    } as (typeof events)[number]);
  }
  return [...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n'];
}
