import type { ChatCompletionRequest, TokenUsage } from '../providers/chat-completion.ts';
import { messageText } from '../providers/chat-completion.ts';
import { estimateTokens } from './o200k-tokenizer.ts';

/**
 * Per-message overhead in tokens of OpenAI's chat format (role and separators), from OpenAI's
 * cookbook "How to count tokens with tiktoken" (3 per message, 3 to prime the reply).
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

/**
 * Counts tokens with the o200k_base tokenizer (GPT-4o family) when a provider reports no usage.
 * Other model families tokenise differently; the count is an estimate, marked `tokenizer`; very long
 * texts are counted in part and scaled (see `estimateTokens`), so that counting stays bounded.
 */
export function countUsage(request: Pick<ChatCompletionRequest, 'messages'>, outputText: string): TokenUsage {
  let inputTokens = TOKENS_PER_REPLY;
  for (const message of request.messages) inputTokens += TOKENS_PER_MESSAGE + estimateTokens(messageText(message));
  return {
    inputTokens,
    cachedInputTokens: 0,
    outputTokens: estimateTokens(outputText),
    reasoningTokens: 0,
    source: 'tokenizer',
  };
}
