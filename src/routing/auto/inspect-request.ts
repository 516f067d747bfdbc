import type { Modality } from '../../catalog/catalog.ts';
import type { ChatCompletionRequest } from '../../providers/chat-completion.ts';
import { countTokensWithin } from '../o200k-tokenizer.ts';
import { findSensitiveData, type SensitiveDataKind } from './find-sensitive-data.ts';

/**
 * Per-message overhead of OpenAI's chat format in tokens (role and separators: 3 per message,
 * 3 to prime the reply), from OpenAI's cookbook "How to count tokens with tiktoken".
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;
/**
 * Tokens charged for one image: a 1024x1024 image at high detail is 765 tokens on GPT-4o
 * (85 base + 4 tiles x 170; OpenAI's vision guide). Other vendors count differently; an estimate.
 */
export const IMAGE_TOKENS = 765;
/** Characters per token of English text with o200k/cl100k, the usual rule of thumb. */
const CHARS_PER_TOKEN = 4;
/** Texts at least this long have their token counts remembered: long system prompts repeat. */
const CACHE_MIN_CHARS = 2_048;
const CACHE_MAX_ENTRIES = 256;
/** Remembered counts: `exact` true is the count; false means "more than `tokens`". */
const tokenCounts = new Map<string, { tokens: number; exact: boolean }>();

/** The o200k count of `text`, or false past `limit`; long texts are remembered (least recently used out). */
function countWithin(text: string, limit: number): number | false {
  if (text.length < CACHE_MIN_CHARS) return countTokensWithin(text, limit);
  const cached = tokenCounts.get(text);
  if (cached) {
    tokenCounts.delete(text);
    tokenCounts.set(text, cached);
    if (cached.exact) return cached.tokens <= limit ? cached.tokens : false;
    if (limit < cached.tokens) return false;
  }
  // Counting stops as soon as the limit is passed, and takes time linear in the text whatever it holds.
  const count = countTokensWithin(text, limit);
  tokenCounts.set(text, count === false ? { tokens: limit + 1, exact: false } : { tokens: count, exact: true });
  if (tokenCounts.size > CACHE_MAX_ENTRIES) {
    const oldest = tokenCounts.keys().next().value;
    if (oldest !== undefined) tokenCounts.delete(oldest);
  }
  return count;
}

export interface InspectOptions {
  /**
   * Count tokens with the tokenizer only when the upper bound (UTF-8 bytes, since every byte-level
   * BPE token covers at least one byte) exceeds this many tokens; below it the chars/4 estimate is
   * used, because the exact count cannot change any context decision. @default 0 (always count)
   */
  exactAbove?: number;
  /** Stop counting past this many tokens (the largest context window that matters). @default Infinity */
  tokenLimit?: number;
  /** Look for sensitive data (costs a few regular-expression scans of the text). @default true */
  detectSensitiveData?: boolean;
}

export interface RequestInspection {
  /** Input modalities present: always `text`, plus `image` / `audio` when a part has them. */
  modalities: Modality[];
  imageParts: number;
  audioParts: number;
  /** Tool definitions were sent (`tools` non-empty): only models with tool calling qualify. */
  toolsRequested: boolean;
  /** Input tokens: see `tokenCount` for how they were counted. Images add {@link IMAGE_TOKENS} each. */
  inputTokens: number;
  /**
   * `exact`: o200k_base count (exact for OpenAI's GPT-4o family, an estimate for others);
   * `estimate`: chars / 4, used when the upper bound already fits; `over-limit`: the count passed
   * `tokenLimit` and stopped (the prompt has more than `inputTokens` tokens).
   */
  tokenCount: 'exact' | 'estimate' | 'over-limit';
  /** A bound no byte-level tokenizer exceeds: UTF-8 bytes + chat overhead + image tokens. */
  inputTokensUpperBound: number;
  /** `max_completion_tokens` or `max_tokens` when the client set one. */
  maxOutputTokens: number | undefined;
  /** Kinds of sensitive data found (never the text); empty when not looked for. */
  sensitiveData: SensitiveDataKind[];
}

/**
 * Looks at a chat completion request the way the router needs: modalities, size in tokens, tools,
 * sensitive data. Never copies message text into its result.
 */
export function inspectRequest(request: ChatCompletionRequest, options: InspectOptions = {}): RequestInspection {
  const texts: string[] = [];
  let imageParts = 0;
  let audioParts = 0;
  let chars = 0;
  let bytes = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') {
      texts.push(content);
    } else if (content) {
      for (const part of content) {
        if (part.type === 'text') texts.push(part.text);
        else if (part.type === 'image_url') imageParts++;
        else if (part.type === 'input_audio') audioParts++;
        else if (part.type === 'refusal') texts.push(part.refusal);
      }
    }
  }
  const toolsRequested = (request.tools?.length ?? 0) > 0;
  // Tool definitions are sent to the model as text too.
  if (toolsRequested) texts.push(JSON.stringify(request.tools));
  for (const text of texts) {
    chars += text.length;
    bytes += Buffer.byteLength(text, 'utf8');
  }
  const overhead = TOKENS_PER_REPLY + TOKENS_PER_MESSAGE * request.messages.length + IMAGE_TOKENS * imageParts;
  const upperBound = bytes + overhead;

  let inputTokens: number;
  let tokenCount: RequestInspection['tokenCount'];
  if (upperBound <= (options.exactAbove ?? 0)) {
    inputTokens = Math.ceil(chars / CHARS_PER_TOKEN) + overhead;
    tokenCount = 'estimate';
  } else {
    const limit = options.tokenLimit ?? Number.POSITIVE_INFINITY;
    let counted = overhead;
    tokenCount = 'exact';
    for (const text of texts) {
      const within = countWithin(text, Math.max(0, limit - counted));
      if (within === false) {
        counted = limit + 1;
        tokenCount = 'over-limit';
        break;
      }
      counted += within;
    }
    inputTokens = counted;
  }

  const modalities: Modality[] = ['text'];
  if (imageParts > 0) modalities.push('image');
  if (audioParts > 0) modalities.push('audio');
  const sensitiveData: SensitiveDataKind[] = [];
  if (options.detectSensitiveData !== false) {
    for (const text of texts) {
      for (const kind of findSensitiveData(text)) if (!sensitiveData.includes(kind)) sensitiveData.push(kind);
    }
  }
  return {
    modalities,
    imageParts,
    audioParts,
    toolsRequested,
    inputTokens,
    tokenCount,
    inputTokensUpperBound: upperBound,
    maxOutputTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    sensitiveData,
  };
}
