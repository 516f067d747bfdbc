import { createCatalog } from '../catalog/create-catalog.ts';
import { inferModelClass } from '../catalog/infer-model-class.ts';
import type { RightsizeConfig } from '../config/config-schema.ts';
import type { ReplayBaseline } from './replay.ts';

/**
 * The model the all-LLM baseline prices traffic with: `model` when given, else the route's first
 * tier whose model is an `llm`-class entry of the catalog (built-in models plus the config's
 * `models`). Says why when there is none, or when the catalog has no per-token price for it.
 */
export function findBaselineModel(options: {
  config: RightsizeConfig;
  route: string;
  /** Price with this catalog model instead of the route's. */
  model?: string | undefined;
}): ReplayBaseline {
  const catalog = createCatalog(options.config.models);
  let id = options.model;
  if (id === undefined) {
    const route = options.config.routes[options.route];
    if (!route)
      return {
        model: null,
        unavailable: `route ${options.route} is not in the config read here; pass the gateway's --config, or --baseline-model`,
      };
    id = route.tiers
      .map((tier) => tier.model)
      .find((model) => {
        const entry = catalog.get(model);
        return entry !== undefined && inferModelClass(entry) === 'llm';
      });
    if (id === undefined)
      return {
        model: null,
        unavailable: `route ${options.route} has no tier whose model is an llm-class catalog entry; pass --baseline-model`,
      };
  }
  const entry = catalog.get(id);
  if (!entry) return { model: id, unavailable: `${id} is not in the catalog; add it under models: with its prices` };
  const prices = entry.prices;
  if (prices?.inputPerMillionUsd === undefined || prices.outputPerMillionUsd === undefined)
    return {
      model: id,
      unavailable: `the catalog has no per-token price for ${id}; add prices to its models: entry`,
    };
  return { model: id, prices };
}
