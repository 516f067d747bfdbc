import type { Deployment, ModelEntry } from '../catalog/catalog.ts';
import type { Provider } from '../providers/provider.ts';

/** A model id resolved to what serves it. */
export interface ResolvedModel {
  /** The id as named (catalog id, `specialist/<name>`, `human`). */
  id: string;
  /** The catalog entry (synthesised for specialists and the human tier). */
  entry: ModelEntry;
  /** Undefined when the model's provider is not configured (see `unavailable`). */
  provider: Provider | undefined;
  upstreamModel: string;
  /** Why the model cannot be used now, e.g. "provider openai is not configured: set OPENAI_API_KEY". */
  unavailable?: string;
  /**
   * Where a model that cannot run now would run once it can (its configured provider's deployment;
   * `edge` for a specialist still training), so that a deployment requirement can exclude it.
   */
  deployment?: Deployment;
}

/** What the executor needs from the running gateway. */
export interface RoutingContext {
  /** Undefined for an id that names nothing. */
  resolveModel(id: string): ResolvedModel | undefined;
  /** A cascade scorer an acceptance rule names, loaded at start; undefined when unknown. */
  scorer(
    name: string,
  ): { readonly threshold: number | undefined; score(prompt: string, answer: string): number } | undefined;
}
