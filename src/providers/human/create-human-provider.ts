import { RightsizeError } from '../../errors/rightsize-error.ts';
import type { ReviewQueue } from '../../review/review-queue.ts';
import { lastUserText } from '../chat-completion.ts';
import type { Provider, ProviderCall, ProviderCompletion } from '../provider.ts';

/**
 * The human tier: a request that reaches it becomes an item in the durable review queue, with its
 * input, the label set and what the earlier tiers answered. The client gets a well-formed chat
 * completion at once (or after waiting up to `escalation.waitMs` for the decision): the decision as
 * content when a person has decided, else a note that the item awaits review, with its id. A call
 * whose signal has already aborted (the client left) queues nothing and rejects with its reason.
 * @throws RightsizeError `invalid_request` when the request has no user text to review.
 */
export function createHumanProvider(options: { queue: ReviewQueue }): Provider {
  return {
    id: 'human',
    kind: 'human',
    deployment: 'on-prem',
    async complete(call: ProviderCall): Promise<ProviderCompletion> {
      // Nobody is left to answer: queue no item for a person.
      if (call.signal.aborted) throw call.signal.reason;
      const input = lastUserText(call.request);
      // Nothing for a person to read: a $5 review of an empty message helps nobody.
      if (input.trim() === '')
        throw new RightsizeError(
          'invalid_request',
          'The request has no user message with text, so there is nothing for a person to review; send the text to classify.',
          { param: 'messages' },
        );
      const escalation = call.escalation;
      const item = await options.queue.enqueue({
        route: escalation?.route ?? call.upstreamModel,
        requestId: call.requestId,
        input,
        labels: escalation?.labels ? [...escalation.labels] : null,
        candidates: escalation ? [...escalation.candidates] : [],
      });
      const waited =
        escalation && escalation.waitMs > 0
          ? await options.queue.waitForDecision(item.id, escalation.waitMs, call.signal)
          : item;
      const decided = waited?.status === 'resolved' && waited.decision !== null;
      const content = decided ? waited.decision : `Awaiting human review (item ${item.id}).`;
      return {
        response: {
          id: item.id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'human',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        },
        usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'provider' },
        review: { id: item.id, status: decided ? 'resolved' : 'pending' },
      };
    },
  };
}
