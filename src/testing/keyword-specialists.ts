import { untilAborted } from '../internal/until-aborted.ts';
import type { Provider } from '../providers/provider.ts';
import type { SpecialistSource } from '../server/create-runtime.ts';

/** One rule of {@link keywordSpecialists}: a last user message containing `keyword` gets `label`. */
export interface KeywordRule {
  keyword: string;
  label: string;
  confidence: number;
  /** Answer only after this long; like the real specialist provider, it stops waiting when the call's signal aborts. */
  delayMs?: number;
}

/**
 * Test helper: an in-process "specialist" named `keywords` that labels the last user message by the
 * first rule whose keyword it contains (case-insensitive), else `otherwise`, with the rule's
 * confidence, so the cascade sees a confidence as with the real ones. Costs nothing per call.
 */
export function keywordSpecialists(options: {
  rules: readonly KeywordRule[];
  otherwise: Omit<KeywordRule, 'keyword'>;
  /** What the source reports as the specialist's labels. @default null */
  labels?: string[] | null;
}): SpecialistSource {
  const provider: Provider = {
    id: 'specialist',
    kind: 'specialist',
    deployment: 'edge',
    async complete(call) {
      const text = String(call.request.messages.at(-1)?.content ?? '').toLowerCase();
      const rule = options.rules.find((candidate) => text.includes(candidate.keyword)) ?? options.otherwise;
      const { label, confidence } = rule;
      if (rule.delayMs) await untilAborted(new Promise((resolve) => setTimeout(resolve, rule.delayMs)), call.signal);
      return {
        response: {
          id: 'sp-1',
          object: 'chat.completion',
          created: 0,
          model: call.upstreamModel,
          choices: [{ index: 0, message: { role: 'assistant', content: label }, finish_reason: 'stop' }],
        },
        usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'provider' },
        confidence,
      };
    },
  };
  const labels = options.labels ?? null;
  return { provider, names: () => ['keywords'], labels: () => labels };
}
