import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../catalog/create-catalog.ts';
import { jsonBody } from '../server/json-body.ts';
import { parseOrThrow, selectModels } from './select-models.ts';
import { selectRequestSchema } from './selection.ts';

/** What the select route needs. */
export interface SelectRouteDependencies {
  catalog: Catalog;
}

/**
 * Adds `POST /v1/rightsize/select`: the body is `{ profile, requirements?, deployment? }` (the
 * strict {@link selectRequestSchema}: unknown keys are refused), the answer the
 * {@link import('./selection.ts').SelectionResult} as JSON, with relaxations named by JSON field
 * (`raise requirements.maxCostUsd to 0.0042 to admit gpt-4o-mini`).
 * @throws RightsizeError `invalid_request` naming the bad field; the server's error handler turns it
 * into OpenAI's error envelope (400).
 */
export function registerSelectRoute(app: FastifyInstance, deps: SelectRouteDependencies): void {
  app.post('/v1/rightsize/select', async (request) => {
    const body = parseOrThrow(selectRequestSchema, jsonBody(request.body), 'body');
    return selectModels(body.profile, body.requirements, body.deployment, deps.catalog, { relaxationStyle: 'field' });
  });
}
