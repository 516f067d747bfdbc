import { randomUUID } from 'node:crypto';
import { isRightsizeError, RightsizeError } from '../../errors/rightsize-error.ts';
import { listSpecialists, loadSpecialist, readSpecialistMetadata } from '../../specialists/registry/load-specialist.ts';
import { loadSpecialistInWorker } from '../../specialists/serving/load-specialist-in-worker.ts';
import type { Specialist, SpecialistPrediction } from '../../specialists/specialist.ts';
import { type ChatCompletionResponse, lastUserText } from '../chat-completion.ts';
import type { Provider, ProviderCall, ProviderCompletion } from '../provider.ts';

/** Options of {@link createSpecialistProvider}. */
export interface SpecialistProviderOptions {
  /** The registry folder (config `specialists.registry`). */
  registryDir: string;
  /** Compute cost of one call in USD, reported to the router for cost accounting (config `specialists.costPerCallUsd`). */
  costPerCallUsd: number;
  /** Provider id. @default 'specialist' */
  id?: string;
  /** Alternatives listed in `top_logprobs` when the request does not say (`top_logprobs`). @default 5 */
  defaultTopLogprobs?: number;
  /**
   * Run encoder-based specialists (`encoder`, `ensemble`) in a worker thread each, so that their
   * 10-40 ms encoder passes do not hold the gateway's event loop; fastText ones always run inline
   * (tens of microseconds). @default true
   */
  encoderInWorker?: boolean;
  /** Loads a specialist. @default loadSpecialist, or loadSpecialistInWorker (see encoderInWorker) */
  load?: (registryDir: string, name: string) => Promise<Specialist>;
}

/** The specialist provider: a {@link Provider} whose `costPerCallUsd` the router reads. */
export interface SpecialistProvider extends Provider {
  readonly costPerCallUsd: number;
  /** Loads (once) and returns a specialist, e.g. to read its labels or threshold. */
  specialist(name: string): Promise<Specialist>;
  /** Names of the specialists in the registry now (read from disk on each call: trainings may finish). */
  names(): string[];
  /** A specialist's labels from its metadata (without loading its model), or null when it is unknown. */
  labels(name: string): readonly string[] | null;
  /**
   * Forgets a loaded specialist (or all), so that the next call loads it again from the registry:
   * after `rightsize calibrate` stored a new threshold, or a training replaced the model.
   */
  reload(name?: string): Promise<void>;
}

/**
 * Serves the registry's specialists as a provider (kind `specialist`, deployment `edge`): in a
 * chat completion, `call.upstreamModel` names the specialist, the last user message is classified
 * in process, and the answer is a `chat.completion` whose content is the label, with OpenAI-style
 * `logprobs` (one content token, the label, logprob = ln p; `top_logprobs` = the best labels), and
 * `confidence` / `alternatives` for the router's acceptance rules.
 *
 * Usage: token counts are not meaningful for a classifier; `usage` reports 0 prompt and 0
 * completion tokens, and the router prices the call with `costPerCallUsd`.
 * Each specialist is loaded once, lazily, and cached; a failed load is retried on the next call.
 * @throws RightsizeError `model_not_found` (unknown specialist), `invalid_request` (no user text).
 */
export function createSpecialistProvider(options: SpecialistProviderOptions): SpecialistProvider {
  const load =
    options.load ??
    ((registryDir: string, name: string) =>
      (options.encoderInWorker ?? true) && readSpecialistMetadata(registryDir, name).arch !== 'fasttext'
        ? loadSpecialistInWorker(registryDir, name)
        : loadSpecialist(registryDir, name));
  const loaded = new Map<string, Promise<Specialist>>();
  const defaultTop = options.defaultTopLogprobs ?? 5;

  const specialist = (name: string): Promise<Specialist> => {
    let promise = loaded.get(name);
    if (!promise) {
      promise = Promise.resolve().then(() => load(options.registryDir, name));
      loaded.set(name, promise);
      promise.catch(() => loaded.delete(name));
    }
    return promise;
  };

  const forget = async (names: readonly string[]): Promise<void> => {
    for (const name of names) {
      const promise = loaded.get(name);
      loaded.delete(name);
      try {
        (await promise)?.close();
      } catch {
        // A specialist that failed to load holds nothing to free.
      }
    }
  };

  return {
    id: options.id ?? 'specialist',
    kind: 'specialist',
    deployment: 'edge',
    costPerCallUsd: options.costPerCallUsd,
    specialist,
    names: () => listSpecialists(options.registryDir).map((entry) => entry.name),
    labels(name: string) {
      try {
        return readSpecialistMetadata(options.registryDir, name).labels;
      } catch {
        return null;
      }
    },
    async complete(call: ProviderCall): Promise<ProviderCompletion> {
      const name = call.upstreamModel.replace(/^specialist\//, '');
      const text = lastUserText(call.request);
      if (text.trim() === '') {
        throw new RightsizeError(
          'invalid_request',
          `specialist/${name} classifies the last user message, and the request has none with text: add a user message`,
          { param: 'messages' },
        );
      }
      let model: Specialist;
      try {
        model = await specialist(name);
      } catch (error) {
        if (isRightsizeError(error)) throw error;
        throw new RightsizeError('internal_error', `specialist "${name}" failed to load: retrain it`, { cause: error });
      }
      call.signal.throwIfAborted();
      const prediction = model.predictSync ? model.predictSync(text) : await model.predict(text);
      const topCount = Math.min(20, call.request.top_logprobs ?? defaultTop);
      return {
        response: toChatCompletion(name, prediction, topCount, call.requestId),
        usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'provider' },
        confidence: prediction.probability,
        ...(model.threshold === undefined ? {} : { acceptThreshold: model.threshold }),
        alternatives: prediction.alternatives,
      };
    },
    // Requests in flight keep the old model; its WASM heap goes with the last reference to it.
    async reload(name?: string) {
      if (name === undefined) loaded.clear();
      else loaded.delete(name);
    },
    close: () => forget([...loaded.keys()]),
  };
}

/** The OpenAI `chat.completion` a specialist answers with. */
function toChatCompletion(
  name: string,
  prediction: SpecialistPrediction,
  topCount: number,
  requestId: string,
): ChatCompletionResponse {
  const candidates = [{ label: prediction.label, probability: prediction.probability }, ...prediction.alternatives];
  const entry = (label: string, probability: number) => ({
    token: label,
    logprob: Math.log(Math.max(probability, Number.MIN_VALUE)),
    bytes: [...Buffer.from(label, 'utf8')],
  });
  return {
    id: `chatcmpl-${requestId || randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: `specialist/${name}`,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: prediction.label, refusal: null },
        logprobs: {
          content: [
            {
              ...entry(prediction.label, prediction.probability),
              top_logprobs: candidates
                .slice(0, topCount)
                .map((candidate) => entry(candidate.label, candidate.probability)),
            },
          ],
          refusal: null,
        },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}
