import type { ChatCompletionRequest, TokenUsage } from '../providers/chat-completion.ts';
import { messageText } from '../providers/chat-completion.ts';
import { o200kTokenizer } from './o200k-tokenizer.ts';

/**
 * Per-message overhead in tokens of OpenAI's chat format (role and separators), from OpenAI's
 * cookbook "How to count tokens with tiktoken" (3 per message, 3 to prime the reply).
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

/**
 * Counts tokens with the o200k_base tokenizer (GPT-4o family) when a provider reports no usage.
 * Other model families tokenise differently; the count is an estimate, marked `tokenizer`.
 */
export function countUsage(request: Pick<ChatCompletionRequest, 'messages'>, outputText: string): TokenUsage {
  const countO200k = o200kTokenizer().countTokens;
  let inputTokens = TOKENS_PER_REPLY;
  for (const message of request.messages) inputTokens += TOKENS_PER_MESSAGE + countO200k(messageText(message));
  return {
    inputTokens,
    cachedInputTokens: 0,
    outputTokens: countO200k(outputText),
    reasoningTokens: 0,
    source: 'tokenizer',
  };
}
