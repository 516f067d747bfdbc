import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isRightsizeError, RightsizeError } from '../../errors/rightsize-error.ts';
import { untilAborted } from '../../internal/until-aborted.ts';
import type { SpecialistSource } from '../../server/create-runtime.ts';
import { listSpecialists, loadSpecialist, readSpecialistMetadata } from '../../specialists/registry/load-specialist.ts';
import { METADATA_FILE, specialistDirectory } from '../../specialists/registry/specialist-paths.ts';
import { loadSpecialistInWorker } from '../../specialists/serving/load-specialist-in-worker.ts';
import {
  MAX_SPECIALIST_INPUT_CHARACTERS,
  type Specialist,
  type SpecialistPrediction,
} from '../../specialists/specialist.ts';
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
  /** Alternatives listed in `top_logprobs` when a request asks for `logprobs` without `top_logprobs`. @default 5 */
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
   * after `rightsize calibrate` stored a new threshold, or a training replaced the model. Calls in
   * flight finish on the old copy, which is closed after the last of them (so a copy obtained from
   * `specialist()` must not be used after a reload).
   */
  reload(name?: string): Promise<void>;
  /**
   * Makes sure the registry's current version of a specialist is loaded: loads it when it is not,
   * and loads it again when its `specialist.json` changed on disk since the loaded copy was read (a
   * retraining or distillation under the same name replaces the folder; a calibration rewrites the
   * file): one `stat`, no read, when nothing changed. The new copy is loaded before it replaces the
   * old one, so calls never wait for it; the old copy is closed once its calls in flight are done.
   * A failed load leaves the old copy serving.
   * @returns true when a new copy was loaded, false when the loaded one is current.
   * @throws RightsizeError `model_not_found` (not in the registry), `invalid_config` (unreadable), or
   *   the loader's error.
   */
  refresh(name: string): Promise<boolean>;
}

/** A loaded (or loading) copy of a specialist. */
interface LoadedCopy {
  promise: Promise<Specialist>;
  /** The identity of `specialist.json` when the load began (see `metadataVersion`); null when absent. */
  version: string | null;
  /** Calls using this copy now. */
  inFlight: number;
  /** Replaced by a newer copy (or forgotten): closed when no call uses it any more. */
  retired: boolean;
}

/**
 * Serves the registry's specialists as a provider (kind `specialist`, deployment `edge`): in a
 * chat completion, `call.upstreamModel` names the specialist, the last user message (its first
 * 2,000 characters) is classified in process, and the answer is a `chat.completion` whose content is the label, with OpenAI-style
 * `logprobs` when the request asks for them (`logprobs: true`; one content token, the label,
 * logprob = ln p; `top_logprobs` = the best labels; else `logprobs: null`, as OpenAI), and
 * `confidence` for the router's acceptance rules.
 *
 * Usage: token counts are not meaningful for a classifier; `usage` reports 0 prompt and 0
 * completion tokens, and the router prices the call with `costPerCallUsd`.
 * Each specialist is loaded once, lazily, and cached; a failed load is retried on the next call.
 * Requests never touch the disk once a specialist is loaded: a new version on disk is picked up by
 * `refresh(name)` (the gateway calls it when a promotion of the specialist changes) or `reload(name)`.
 * @throws RightsizeError `model_not_found` (unknown specialist), `invalid_request` (no user text).
 */
export function createSpecialistProvider(options: SpecialistProviderOptions): SpecialistProvider {
  const load =
    options.load ??
    ((registryDir: string, name: string) =>
      (options.encoderInWorker ?? true) && readSpecialistMetadata(registryDir, name).arch !== 'fasttext'
        ? loadSpecialistInWorker(registryDir, name)
        : loadSpecialist(registryDir, name));
  const loaded = new Map<string, LoadedCopy>();
  let closed = false;
  const defaultTop = options.defaultTopLogprobs ?? 5;

  // inode, mtime and size of specialist.json: a training renames a new folder into place (new inode),
  // a calibration rewrites the file (new mtime). One stat, read only when a copy is loaded or refreshed.
  const metadataVersion = (name: string): string | null => {
    const stats = statSync(join(specialistDirectory(options.registryDir, name), METADATA_FILE), {
      throwIfNoEntry: false,
    });
    return stats ? `${stats.ino}:${stats.mtimeMs}:${stats.size}` : null;
  };

  const startLoad = (name: string): LoadedCopy => {
    let version: string | null = null;
    try {
      version = metadataVersion(name);
    } catch {
      // An invalid name: the load below says what is wrong with it.
    }
    const copy: LoadedCopy = {
      promise: Promise.resolve().then(() => load(options.registryDir, name)),
      version,
      inFlight: 0,
      retired: false,
    };
    // A failed load is retried by the next call.
    copy.promise.catch(() => {
      if (loaded.get(name) === copy) loaded.delete(name);
    });
    return copy;
  };

  const copyOf = (name: string): LoadedCopy => {
    let copy = loaded.get(name);
    if (!copy) {
      copy = startLoad(name);
      loaded.set(name, copy);
    }
    return copy;
  };

  const close = async (copy: LoadedCopy): Promise<void> => {
    try {
      (await copy.promise).close();
    } catch {
      // A specialist that failed to load holds nothing to free.
    }
  };

  /** Takes a copy out of service: closed now when idle, else by its last call. */
  const retire = (copy: LoadedCopy): void => {
    copy.retired = true;
    if (copy.inFlight === 0) void close(copy);
  };

  const specialist = (name: string): Promise<Specialist> => copyOf(name).promise;

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
      // Leading blank space is no part of a message's start (2,000 spaces then a question is a question).
      const whole = lastUserText(call.request).trimStart();
      // Its start only (see MAX_SPECIALIST_INPUT_CHARACTERS).
      const text =
        whole.length > MAX_SPECIALIST_INPUT_CHARACTERS ? whole.slice(0, MAX_SPECIALIST_INPUT_CHARACTERS) : whole;
      if (text.trim() === '') {
        throw new RightsizeError(
          'invalid_request',
          `specialist/${name} classifies the last user message, and the request has none with text: add a user message`,
          { param: 'messages' },
        );
      }
      const copy = copyOf(name);
      copy.inFlight++;
      let prediction: SpecialistPrediction;
      let model: Specialist;
      try {
        try {
          model = await copy.promise;
        } catch (error) {
          if (isRightsizeError(error)) throw error;
          throw new RightsizeError('internal_error', `specialist "${name}" failed to load: retrain it`, {
            cause: error,
          });
        }
        call.signal.throwIfAborted();
        // A prediction already in an encoder batch cannot be stopped: stop waiting for it instead.
        prediction = model.predictSync
          ? model.predictSync(text)
          : await untilAborted(model.predict(text, call.signal), call.signal);
      } finally {
        copy.inFlight--;
        if (copy.retired && copy.inFlight === 0) void close(copy);
      }
      const topCount = call.request.logprobs === true ? Math.min(20, call.request.top_logprobs ?? defaultTop) : null;
      return {
        response: toChatCompletion(name, prediction, topCount, call.requestId),
        usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, source: 'provider' },
        confidence: prediction.probability,
        ...(model.threshold === undefined ? {} : { acceptThreshold: model.threshold }),
        alternatives: prediction.alternatives,
      };
    },
    async reload(name?: string) {
      for (const key of name === undefined ? [...loaded.keys()] : [name]) {
        const copy = loaded.get(key);
        loaded.delete(key);
        if (copy) retire(copy);
      }
    },
    async refresh(name: string) {
      const version = metadataVersion(name);
      // Absent from the registry: say so (the loaded copy, if any, keeps serving).
      if (version === null) readSpecialistMetadata(options.registryDir, name);
      const current = loaded.get(name);
      if (current && current.version === version) {
        await current.promise;
        return false;
      }
      if (!current) {
        // Nothing to replace: load it where requests find it, so that they share this load.
        await copyOf(name).promise;
        return true;
      }
      // A stale copy keeps serving until the new one is ready.
      const next = startLoad(name);
      await next.promise;
      if (closed) {
        await close(next);
        return false;
      }
      const replaced = loaded.get(name);
      loaded.set(name, next);
      if (replaced && replaced !== next) retire(replaced);
      return true;
    },
    async close() {
      closed = true;
      const copies = [...loaded.values()];
      loaded.clear();
      await Promise.all(copies.map(close));
    },
  };
}

/** The OpenAI `chat.completion` a specialist answers with. */
function toChatCompletion(
  name: string,
  prediction: SpecialistPrediction,
  /** Alternatives in `top_logprobs`; null: no `logprobs` (the request did not ask). */
  topCount: number | null,
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
        logprobs:
          topCount === null
            ? null
            : {
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

/**
 * The gateway's view of a specialist provider (`startGateway({specialists})`): it serves, lists,
 * labels and refreshes the registry's specialists; `hide` leaves names out of the list (e.g. those
 * still being calibrated at start).
 */
export function toSpecialistSource(
  provider: SpecialistProvider,
  options: { hide?: (name: string) => boolean } = {},
): SpecialistSource {
  const hide = options.hide;
  return {
    provider,
    names: hide ? () => provider.names().filter((name) => !hide(name)) : () => provider.names(),
    labels: (name) => provider.labels(name),
    refresh: (name) => provider.refresh(name),
  };
}
