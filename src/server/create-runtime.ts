import { BUILTIN_MODELS } from '../catalog/builtin/builtin-models.ts';
import { HUMAN_MODEL_ID, type ModelEntry } from '../catalog/catalog.ts';
import { type Catalog, createCatalog } from '../catalog/create-catalog.ts';
import type { RecordedProviderConfig, RightsizeConfig } from '../config/config-schema.ts';
import type { Environment } from '../config/environment.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import {
  createPromotionRegistry,
  type LoadedPromotion,
  type PromotionRegistry,
} from '../promotion/promotion-registry.ts';
import { createHumanProvider } from '../providers/human/create-human-provider.ts';
import { createOpenAICompatibleProvider } from '../providers/openai-compatible/create-openai-compatible-provider.ts';
import type { Provider } from '../providers/provider.ts';
import { ReviewQueue } from '../review/review-queue.ts';
import { compileAcceptRules } from '../routing/accept-answer.ts';
import type { PlanSources } from '../routing/resolve-plan.ts';
import type { ResolvedModel, RoutingContext } from '../routing/routing-context.ts';
import type { CascadeScorer } from '../routing/weak-strong/load-cascade-scorer.ts';
import { createStore } from '../store/create-store.ts';
import { RequestLogWriter } from '../store/request-log-writer.ts';
import type { Store } from '../store/store.ts';
import { type Authenticator, createAuthenticator } from './authenticate.ts';

/** How long a specialist's labels are kept before its metadata is read again, in ms. */
const LABELS_TTL_MS = 1_000;

/** Specialists as the gateway sees them (see `providers/specialist/`). */
export interface SpecialistSource {
  provider: Provider;
  /** Names of the specialists in the registry now. */
  names(): readonly string[];
  /** A specialist's labels, or null when it is unknown. */
  labels(name: string): readonly string[] | null;
  /**
   * Loads the registry's current version of a specialist, when the loaded copy is missing or older
   * (`SpecialistProvider.refresh`). Called when a promotion of the specialist is created or changed,
   * so that `distill --name X` then `promote` serves the new X without a restart. Absent: promoted
   * specialists are loaded on first use and never reloaded.
   */
  refresh?(name: string): Promise<boolean>;
}

/** Everything a running gateway holds, built once from the config and the environment. */
export interface GatewayRuntime {
  config: RightsizeConfig;
  store: Store;
  logWriter: RequestLogWriter;
  catalog: Catalog;
  reviewQueue: ReviewQueue;
  authenticator: Authenticator;
  /** Configured providers by id. */
  providers: ReadonlyMap<string, Provider>;
  /** Providers in the config that cannot run, with what to set. */
  unconfigured: ReadonlyMap<string, string>;
  context: RoutingContext;
  planSources: PlanSources;
  /** Specialists promoted for task families, re-read from the store every second (`rightsize promote`). */
  promotions: PromotionRegistry;
  /** Models a client may name now: configured catalog models, specialists, and `human` (a person). */
  availableModels(): string[];
  /** Whether `model: "auto"` has anything to choose from: a catalog model whose provider is configured. */
  autoAvailable(): boolean;
  /** Flushes the log, closes providers and the store. */
  close(): Promise<void>;
}

export interface CreateRuntimeOptions {
  config: RightsizeConfig;
  environment: Environment;
  /** An open store; by default the one `config.store.url` names. */
  store?: Store;
  specialists?: SpecialistSource;
  /** More providers by id (e.g. recorded ones), added to those of the config. */
  providers?: ReadonlyMap<string, Provider>;
  onLogError?: (error: unknown) => void;
  /**
   * Problems that do not stop the gateway and are not the log's: a promotion that cannot apply, a
   * promoted specialist that fails to load. @default onLogError
   */
  onWarning?: (error: unknown) => void;
}

/**
 * Every model a route tier or a fallback names must exist (catalog, specialist in the registry or in
 * `specialists.train`, or `human`); a typo fails at start, naming the key, rather than at request time.
 * @throws RightsizeError `invalid_config` listing each unknown reference.
 */
function checkReferences(config: RightsizeConfig, known: (id: string) => boolean): void {
  const problems: string[] = [];
  for (const [name, route] of Object.entries(config.routes)) {
    route.tiers.forEach((tier, index) => {
      if (!known(tier.model)) problems.push(`routes.${name}.tiers[${index}].model: "${tier.model}"`);
    });
  }
  const builtinProviders = new Set(BUILTIN_MODELS.map((entry) => entry.provider));
  const seen = new Set<string>();
  config.models.forEach((entry, index) => {
    if (seen.has(entry.id)) problems.push(`models[${index}].id: "${entry.id}" is listed twice; keep one entry`);
    seen.add(entry.id);
    if (!(entry.provider in config.providers) && !builtinProviders.has(entry.provider))
      problems.push(`models[${index}].provider: "${entry.provider}" is not a provider of providers`);
  });
  for (const [name, route] of Object.entries(config.routes)) {
    if (known(name) || name === 'auto')
      problems.push(`routes.${name}: the route has the name of a model, which it would hide; rename the route`);
    route.tiers.forEach((tier, index) => {
      if (tier.accept?.labels && !route.labels && !route.labelsFrom)
        problems.push(
          `routes.${name}.tiers[${index}].accept.labels: the route has no labels to check against; add labels or labelsFrom`,
        );
    });
  }
  config.specialists.calibrateRoutes.forEach((entry, index) => {
    if (!config.routes[entry.route])
      problems.push(`specialists.calibrateRoutes[${index}].route: "${entry.route}" is not a route of routes`);
  });
  for (const [model, fallbacks] of Object.entries(config.fallbacks)) {
    if (!known(model)) problems.push(`fallbacks.${model}`);
    fallbacks.forEach((fallback, index) => {
      if (!known(fallback)) problems.push(`fallbacks.${model}[${index}]: "${fallback}"`);
    });
  }
  if (problems.length > 0) {
    throw new RightsizeError(
      'invalid_config',
      `The config names models or routes that do not exist, or clash:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nUse a catalog model id (add it under models), specialist/<name> (trained, or listed in specialists.train), or human; route names must differ from model ids.`,
    );
  }
}

/** Loads every cascade scorer a route's acceptance rule names (training the RouteLLM ones when missing). */
async function loadRouteScorers(config: RightsizeConfig): Promise<Map<string, CascadeScorer>> {
  const scorers = new Map<string, CascadeScorer>();
  for (const route of Object.values(config.routes)) {
    for (const tier of route.tiers) {
      const name = tier.accept?.scorer?.name;
      if (!name || scorers.has(name)) continue;
      const { loadOrTrainCascadeScorer } = await import('../routing/weak-strong/load-cascade-scorer.ts');
      scorers.set(name, await loadOrTrainCascadeScorer({ name, dir: config.routers.dir }));
    }
  }
  return scorers;
}

async function createRecordedFromConfig(id: string, provider: RecordedProviderConfig): Promise<Provider> {
  const recorded = await import('../providers/recorded/load-recorded-answers.ts');
  if (provider.path)
    return recorded.createRecordedProviderFromFile({ id, path: provider.path, deployment: provider.deployment });
  const { createRecordedProvider } = await import('../providers/recorded/create-recorded-provider.ts');
  const recordings = recorded.loadRouteLLMGsm8kRecordings(provider.dataRoot ? { dataRoot: provider.dataRoot } : {});
  const records = provider.dataset === 'routellm-gsm8k-strong' ? recordings.strong : recordings.weak;
  return createRecordedProvider({ id, records, deployment: provider.deployment });
}

/**
 * Builds the gateway's runtime from a config and the environment: store, log writer, providers,
 * specialists, review queue, promotions, plan sources.
 * @throws RightsizeError `invalid_config` for an acceptance rule whose regex or JSON schema cannot
 * compile, a client key whose variable is unset, or a route tier or fallback naming no model.
 */
export async function createRuntime(options: CreateRuntimeOptions): Promise<GatewayRuntime> {
  const { config, environment } = options;
  // Before anything opens (the store's file included): a rule that cannot compile or a reference to
  // nothing stops the start, naming its key.
  compileAcceptRules(config.routes);
  const catalog = createCatalog(config.models);
  const specialists = options.specialists;
  const trainedAtStart = new Set(config.specialists.train.map((entry) => entry.name));
  checkReferences(config, (id) => {
    if (id === HUMAN_MODEL_ID) return true;
    if (id.startsWith('specialist/')) {
      const name = id.slice('specialist/'.length);
      return trainedAtStart.has(name) || (specialists?.names().includes(name) ?? false);
    }
    return catalog.get(id) !== undefined;
  });
  checkBaseUrlVariables(config, environment);
  const authenticator = createAuthenticator(config.server.apiKeys, environment);
  const store = options.store ?? (await createStore(config.store.url));
  const logWriter = new RequestLogWriter({
    store,
    batchSize: config.store.batchSize,
    flushIntervalMs: config.store.flushIntervalMs,
    ...(options.onLogError ? { onError: options.onLogError } : {}),
  });
  const reviewQueue = new ReviewQueue(store, { claimTimeoutMs: config.human.claimTimeoutSeconds * 1000 });
  const providers = new Map<string, Provider>(options.providers);
  const unconfigured = new Map<string, string>();
  for (const [id, provider] of Object.entries(config.providers)) {
    if (provider.kind === 'recorded') {
      providers.set(id, await createRecordedFromConfig(id, provider));
      continue;
    }
    const baseUrl = (provider.baseUrlEnv ? environment.get(provider.baseUrlEnv) : undefined) ?? provider.baseUrl;
    const apiKey = provider.apiKeyEnv ? environment.get(provider.apiKeyEnv) : undefined;
    if (!baseUrl) {
      unconfigured.set(id, `set ${provider.baseUrlEnv}`);
      continue;
    }
    if (provider.apiKeyEnv && !apiKey) {
      unconfigured.set(id, `set ${provider.apiKeyEnv}`);
      continue;
    }
    const headers: Record<string, string> = { ...provider.headers };
    const unsetHeaders = Object.entries(provider.headersEnv).filter(([name, variable]) => {
      const value = environment.get(variable);
      if (value !== undefined) headers[name] = value;
      return value === undefined;
    });
    if (unsetHeaders.length > 0) {
      unconfigured.set(id, `set ${unsetHeaders.map(([, variable]) => variable).join(' and ')}`);
      continue;
    }
    providers.set(
      id,
      createOpenAICompatibleProvider({
        id,
        baseUrl,
        ...(apiKey ? { apiKey } : {}),
        ...(provider.apiKeyEnv ? { apiKeyEnv: provider.apiKeyEnv } : {}),
        headers,
        deployment: provider.deployment,
        timeoutMs: provider.timeoutMs,
        maxRetries: provider.maxRetries,
        maxRetryDelayMs: provider.maxRetryDelayMs,
        maxTokensParameter: provider.maxTokensParameter,
        maxResponseBytes: provider.maxResponseBytes,
      }),
    );
  }
  const human = createHumanProvider({ queue: reviewQueue });
  const scorers = await loadRouteScorers(config);

  const humanEntry: ModelEntry = {
    id: 'human',
    provider: 'human',
    class: 'human',
    inputModalities: ['text', 'image', 'audio'],
    outputModalities: ['text'],
    prices: { perCallUsd: config.human.costPerItemUsd },
    deployments: ['on-prem'],
  };
  const resolved = new Map<string, ResolvedModel>();

  function resolveModel(id: string): ResolvedModel | undefined {
    const cached = resolved.get(id);
    if (cached) return cached;
    let model: ResolvedModel | undefined;
    if (id === HUMAN_MODEL_ID) {
      model = { id, entry: humanEntry, provider: human, upstreamModel: 'human' };
    } else if (id.startsWith('specialist/')) {
      const name = id.slice('specialist/'.length);
      if (!specialists) {
        if (!trainedAtStart.has(name)) return undefined;
        return {
          id,
          entry: specialistEntry(id),
          provider: undefined,
          upstreamModel: name,
          unavailable: 'specialists are not loaded',
          deployment: 'edge',
        };
      }
      // Not cached while missing: a specialist may finish training after start.
      if (!specialists.names().includes(name)) {
        // A name neither trained nor configured names nothing (404); a configured one is on its way.
        if (!trainedAtStart.has(name)) return undefined;
        return {
          id,
          entry: specialistEntry(id),
          provider: undefined,
          upstreamModel: name,
          unavailable: `specialist ${name} is not ready: it is trained at start from specialists.train (see the gateway's output)`,
          deployment: 'edge',
        };
      }
      model = { id, entry: specialistEntry(id), provider: specialists.provider, upstreamModel: name };
    } else {
      const entry = catalog.get(id);
      if (!entry) return undefined;
      const provider = providers.get(entry.provider);
      const how = unconfigured.get(entry.provider);
      const wouldRun = config.providers[entry.provider]?.deployment;
      model = provider
        ? { id, entry, provider, upstreamModel: entry.upstreamName ?? entry.id }
        : {
            id,
            entry,
            provider: undefined,
            upstreamModel: entry.upstreamName ?? entry.id,
            unavailable: `provider ${entry.provider} is not configured${how ? `: ${how}` : ''}`,
            ...(wouldRun ? { deployment: wouldRun } : {}),
          };
    }
    resolved.set(id, model);
    return model;
  }

  function specialistEntry(id: string): ModelEntry {
    return {
      id,
      provider: 'specialist',
      class: 'slm',
      inputModalities: ['text'],
      outputModalities: ['text'],
      prices: { perCallUsd: config.specialists.costPerCallUsd },
      deployments: ['edge'],
    };
  }

  // A specialist's labels come from its metadata file: read at most once a second, not per request,
  // yet a retrained specialist's labels are picked up without a restart.
  const labelCache = new Map<string, { labels: readonly string[] | null; readAt: number }>();
  function specialistLabels(name: string): readonly string[] | null {
    const now = Date.now();
    const cached = labelCache.get(name);
    if (cached && now - cached.readAt < LABELS_TTL_MS) return cached.labels;
    const labels = specialists?.labels(name) ?? null;
    labelCache.set(name, { labels, readAt: now });
    return labels;
  }

  const context: RoutingContext = { resolveModel, scorer: (name) => scorers.get(name) };
  const planSources: PlanSources = {
    routes: config.routes,
    fallbacks: config.fallbacks,
    context,
    labelsOf(route) {
      const routeConfig = config.routes[route];
      if (!routeConfig) return null;
      if (routeConfig.labels) return routeConfig.labels;
      if (routeConfig.labelsFrom && specialists) return specialistLabels(routeConfig.labelsFrom);
      return null;
    },
  };
  // A promotion created or changed (re)loads its specialist before it applies: one stat of its
  // specialist.json per change, nothing per request. At start the promoted specialists load in the
  // background instead, so that start-up does not wait for them.
  let starting = true;
  const warn = options.onWarning ?? options.onLogError;
  // A route may take its labels from a specialist trained after start (`rightsize train` beside the
  // gateway); until then its label tiers refuse every answer, which a start-up line should say.
  for (const [name, route] of Object.entries(config.routes)) {
    const from = route.labelsFrom;
    if (from !== undefined && !trainedAtStart.has(from) && !(specialists?.names().includes(from) ?? false))
      warn?.(
        new Error(
          `routes.${name}.labelsFrom: specialist/${from} is not trained (nor listed in specialists.train): until it is, the route has no labels, so its label tiers refuse every answer and escalate`,
        ),
      );
  }
  const loadPromoted = async (changed: readonly LoadedPromotion[]): Promise<void> => {
    if (!specialists?.refresh) return;
    for (const name of new Set(changed.map((entry) => entry.promotion.specialist))) {
      try {
        await specialists.refresh(name);
      } catch (error) {
        warn?.(
          new Error(
            `promoted specialist/${name} could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    }
  };
  const promotions = await createPromotionRegistry({
    store,
    ...(warn ? { onError: warn } : {}),
    onChange: async (changed) => {
      const loading = loadPromoted(changed);
      if (!starting) await loading;
    },
  });
  starting = false;
  planSources.promote = promotions.promote;

  return {
    config,
    store,
    logWriter,
    catalog,
    reviewQueue,
    authenticator,
    providers,
    unconfigured,
    context,
    planSources,
    promotions,
    availableModels() {
      const models = catalog
        .list()
        .filter((entry) => providers.has(entry.provider))
        .map((entry) => entry.id);
      if (specialists) for (const name of specialists.names()) models.push(`specialist/${name}`);
      // A person is a model a client may name too (each request queues a review item, priced per item).
      models.push(HUMAN_MODEL_ID);
      return models;
    },
    autoAvailable() {
      return catalog.list().some((entry) => providers.has(entry.provider));
    },
    async close() {
      promotions.close();
      await logWriter.close();
      for (const provider of providers.values()) await provider.close?.();
      await specialists?.provider.close?.();
      await store.close();
    },
  };
}

/**
 * A provider's `baseUrlEnv`, when set, must hold an http(s) URL (the config's own `baseUrl` is checked
 * by its schema).
 * @throws RightsizeError `invalid_config` naming the variable, never its value (a URL may carry a token).
 */
function checkBaseUrlVariables(config: RightsizeConfig, environment: Environment): void {
  for (const [id, provider] of Object.entries(config.providers)) {
    if (provider.kind === 'recorded' || !provider.baseUrlEnv) continue;
    const value = environment.get(provider.baseUrlEnv);
    if (value !== undefined && !isHttpUrl(value)) {
      throw new RightsizeError(
        'invalid_config',
        `${provider.baseUrlEnv} (the base URL of provider ${id}) is not an http:// or https:// URL; set it like http://127.0.0.1:11434/v1, or unset it to use providers.${id}.baseUrl.`,
      );
    }
  }
}

/** Whether `text` parses as an absolute http:// or https:// URL. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
