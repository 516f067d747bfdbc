import { z } from 'zod';

/**
 * OpenAI chat completion shapes, as far as Rightsize reads them.
 *
 * The request schema checks the type of every field the gateway reads and lets every other field
 * through untouched (`z.looseObject`), so vendor parameters reach the provider as the client sent
 * them. Response schemas are lenient (only what is read, `.nullish()`), since providers differ.
 * Source: OpenAI API reference, "Create chat completion" (platform.openai.com/docs/api-reference/chat).
 */
const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({ type: z.literal('image_url'), image_url: z.unknown() });
const audioPart = z.looseObject({ type: z.literal('input_audio'), input_audio: z.unknown() });
const filePart = z.looseObject({ type: z.literal('file'), file: z.unknown() });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** One part of a multi-part message content. */
export const contentPartSchema = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart, refusalPart]);
export type ContentPart = z.infer<typeof contentPartSchema>;

/** One message of the conversation. */
export const chatMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPartSchema)]).nullish(),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** `POST /v1/chat/completions` body. */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'model must name a catalog model, a route, specialist/<name> or auto'),
  messages: z.array(chatMessageSchema).min(1, 'messages must hold at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().positive().nullish(),
  tools: z.array(z.unknown()).nullish(),
  response_format: z.looseObject({ type: z.string() }).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  user: z.string().nullish(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** Token usage as OpenAI reports it (lenient). */
export const usageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});
export type OpenAIUsage = z.infer<typeof usageSchema>;

/** A `chat.completion` response (lenient: only what Rightsize reads). */
export const chatCompletionResponseSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        message: z.looseObject({ role: z.string().nullish(), content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
});
export type ChatCompletionResponse = z.infer<typeof chatCompletionResponseSchema>;

/** A `chat.completion.chunk` of a stream (lenient). */
export const chatCompletionChunkSchema = z.looseObject({
  id: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        delta: z.looseObject({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
  error: z.unknown().optional(),
});
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;

/** Tokens of one call, in Rightsize's own names. All counts in tokens. */
export interface TokenUsage {
  inputTokens: number;
  /** Input tokens served from the provider's prompt cache (a subset of `inputTokens`). */
  cachedInputTokens: number;
  outputTokens: number;
  /** Reasoning tokens (a subset of `outputTokens`, as OpenAI counts them). */
  reasoningTokens: number;
  /** `provider` when the provider reported usage; `tokenizer` when Rightsize counted it. */
  source: 'provider' | 'tokenizer';
}

/** Converts OpenAI's usage object; undefined when the provider sent none. */
export function fromOpenAIUsage(usage: OpenAIUsage | null | undefined): TokenUsage | undefined {
  if (!usage || usage.prompt_tokens == null || usage.completion_tokens == null) return undefined;
  return {
    inputTokens: usage.prompt_tokens,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens: usage.completion_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    source: 'provider',
  };
}

/** The text of a message's content: the string itself, or its text parts joined by newlines. */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is Extract<ContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

/** The text of the last user message, the input of classification tiers; '' when there is none. */
export function lastUserText(request: Pick<ChatCompletionRequest, 'messages'>): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role === 'user') return messageText(message);
  }
  return '';
}
