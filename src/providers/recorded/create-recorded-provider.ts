import { randomUUID } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { type ChatCompletionResponse, lastUserText, messageText } from '../chat-completion.ts';
import type { Provider, ProviderCall, ProviderCompletion } from '../provider.ts';

/** One recorded model output. */
export interface RecordedAnswer {
  /** The prompt as it was sent (matched after whitespace normalisation). */
  prompt: string;
  /** The model's recorded answer. */
  answer: string;
  /** Whether the answer was right, when known (offline evaluation only; never sent to the client). */
  correct?: boolean;
  /** A judge score of the answer, when known (e.g. MT-Bench 1-10). */
  score?: number;
}

/** Options of {@link createRecordedProvider}. */
export interface RecordedProviderOptions {
  /** Provider id from the config, e.g. `mixtral-recorded`. */
  id: string;
  /** The recorded answers. When two share a prompt, the first is served. */
  records: readonly RecordedAnswer[];
  /** Where the provider runs. @default 'on-prem' */
  deployment?: Provider['deployment'];
}

/** The recorded provider: a {@link Provider} that can also report what it recorded. */
export interface RecordedProvider extends Provider {
  /** Number of distinct recorded prompts. */
  readonly size: number;
  /** The record served for a prompt, or undefined (same matching as `complete`). */
  lookup(prompt: string): RecordedAnswer | undefined;
}

/** Whitespace-normalised lookup key: runs of whitespace become one space, ends trimmed. */
export function recordKey(prompt: string): string {
  return prompt.replace(/\s+/g, ' ').trim();
}

/**
 * Replays recorded model outputs as a provider (kind `recorded`, default deployment `on-prem`), so
 * routes and cascades can be evaluated offline on real answers without spending tokens. A chat
 * completion is answered by looking up the text of the last user message (exact match after
 * whitespace normalisation) and returning the recorded answer as a `chat.completion` with
 * `finish_reason: stop`. Usage is counted with gpt-tokenizer (cl100k_base): input tokens over the
 * text of every message, output tokens over the answer (`source: 'tokenizer'`).
 * Streaming is left to the server (one content chunk from `complete`).
 * @throws RightsizeError `invalid_request` (param `messages`) when the prompt was not recorded;
 *   the message never quotes the prompt.
 */
export function createRecordedProvider(options: RecordedProviderOptions): RecordedProvider {
  const byPrompt = new Map<string, RecordedAnswer>();
  for (const record of options.records) {
    const key = recordKey(record.prompt);
    if (!byPrompt.has(key)) byPrompt.set(key, record);
  }
  const id = options.id;
  return {
    id,
    kind: 'recorded',
    deployment: options.deployment ?? 'on-prem',
    size: byPrompt.size,
    lookup: (prompt) => byPrompt.get(recordKey(prompt)),
    async complete(call: ProviderCall): Promise<ProviderCompletion> {
      call.signal.throwIfAborted();
      const prompt = lastUserText(call.request);
      const record = byPrompt.get(recordKey(prompt));
      if (!record) {
        throw new RightsizeError(
          'invalid_request',
          `recorded provider "${id}" has no recorded answer for the last user message (${byPrompt.size} prompts recorded): ` +
            'send one of the recorded prompts, or add this one to the recording file',
          { param: 'messages' },
        );
      }
      const inputTokens = call.request.messages.reduce((sum, message) => sum + countTokens(messageText(message)), 0);
      const outputTokens = countTokens(record.answer);
      const response: ChatCompletionResponse = {
        id: `chatcmpl-recorded-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: call.upstreamModel,
        choices: [{ index: 0, message: { role: 'assistant', content: record.answer }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: inputTokens,
          completion_tokens: outputTokens,
          total_tokens: inputTokens + outputTokens,
        },
      };
      return {
        response,
        usage: { inputTokens, cachedInputTokens: 0, outputTokens, reasoningTokens: 0, source: 'tokenizer' },
      };
    },
  };
}
