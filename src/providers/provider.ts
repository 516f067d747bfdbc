import type { ChatCompletionRequest, ChatCompletionResponse, TokenUsage } from './chat-completion.ts';

/**
 * The provider contract. A provider is a plain object, built by a factory that is handed everything
 * it needs (base URL, headers, HTTP client, models); providers never read the environment.
 *
 * Implementations: `openai-compatible/` (raw pass-through, the fast path), `specialist/` (small
 * models in process), `recorded/` (replays recorded answers), `human/` (the review queue).
 */
export type ProviderKind = 'openai-compatible' | 'specialist' | 'recorded' | 'human';

/** One call to a provider. */
export interface ProviderCall {
  /** The client's request as parsed at the edge; unknown fields are kept and must be forwarded. */
  request: ChatCompletionRequest;
  /** The model's name at the provider (the catalog's `upstreamName`). */
  upstreamModel: string;
  /**
   * Aborted when the client goes away, the tier's timeout fires or the gateway stops the request at
   * shutdown: `complete` then rejects promptly (with the signal's reason, or its own abort error),
   * even when the work under way cannot itself be stopped.
   */
  signal: AbortSignal;
  /** Rightsize's id of the request (`x-request-id` towards the provider). */
  requestId: string;
  /**
   * The client's body bytes. Pass-through providers forward them unchanged when nothing needs
   * rewriting (same model name, same parameter names), avoiding a re-serialisation.
   */
  rawBody?: Uint8Array;
  /** Set when a cascade escalated to this tier: what came before (used by the human tier). */
  escalation?: EscalationContext;
}

/** What a cascade knows when it reaches a tier: the route, its labels and earlier answers. */
export interface EscalationContext {
  route: string;
  labels: readonly string[] | null;
  candidates: ReadonlyArray<{ model: string; answer: string | null; confidence: number | null; reason: string | null }>;
  /** How long the client is willing to wait for a person's decision, in ms (0: do not wait). */
  waitMs: number;
}

/** A finished (non-streaming) chat completion. */
export interface ProviderCompletion {
  /** The parsed `chat.completion`. */
  response: ChatCompletionResponse;
  /**
   * The exact bytes the provider answered with. When present the server sends them as they are
   * (no re-serialisation); when absent it serialises `response`.
   */
  body?: Uint8Array;
  /** Tokens used; absent when the provider reported none (the logger then counts them). */
  usage?: TokenUsage;
  /** Probability in [0, 1] that the answer is right, for tiers that know it (specialists, scorers). */
  confidence?: number;
  /** Other answers with their probabilities, best first (specialists). */
  alternatives?: ReadonlyArray<{ label: string; probability: number }>;
  /** The provider's own request id, for support tickets. */
  providerRequestId?: string;
  /** The model's calibrated acceptance threshold for `confidence`, when it has one (specialists). */
  acceptThreshold?: number;
  /** Set by the human tier: the review item, and whether a person has decided yet. */
  review?: { id: string; status: 'pending' | 'resolved' };
}

/** One server-sent event of a streaming chat completion, as the provider sent it. */
export interface StreamEvent {
  /** The `data:` payload: a `chat.completion.chunk` JSON text. `[DONE]` is never yielded. */
  data: string;
  /** Usage, when this chunk carries it (OpenAI sends it in a last chunk with empty `choices`). */
  usage?: TokenUsage;
  /** True for a chunk that only carries usage (empty `choices`). */
  usageOnly?: boolean;
}

/**
 * A streaming chat completion. Iterating yields events until the provider's `[DONE]`; it throws a
 * `RightsizeError` (`upstream_stream_error`) when the stream is cut, ends without `[DONE]` or
 * carries an error event. Errors before the first event let the router fall back.
 */
export type ProviderStream = AsyncIterable<StreamEvent>;

export interface Provider {
  /** The provider id from the config (e.g. `openai`, `local-vllm`, `specialist`). */
  readonly id: string;
  readonly kind: ProviderKind;
  /** Where the provider runs; on-premises requests never reach a `cloud` provider. */
  readonly deployment: 'edge' | 'on-prem' | 'cloud';
  /**
   * Runs a non-streaming chat completion.
   * @throws RightsizeError `upstream_error` / `upstream_timeout` with `upstream` details.
   */
  complete(call: ProviderCall): Promise<ProviderCompletion>;
  /**
   * Runs a streaming chat completion. Optional: providers without it are streamed by the server
   * from `complete`'s result (one content chunk, then usage, then `[DONE]`).
   */
  stream?(call: ProviderCall): Promise<ProviderStream>;
  /** Frees sockets, workers or models. */
  close?(): Promise<void>;
}
