import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../catalog/create-catalog.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';
import { parseOrThrow, selectModels } from './select-models.ts';
import { selectRequestSchema } from './selection.ts';

/**
 * The body as a value: the gateway keeps JSON bodies as bytes (its chat route forwards them as they
 * are), so a Buffer is parsed here; an already parsed body is taken as it is.
 * @throws RightsizeError `invalid_json` when the bytes are not JSON.
 */
function jsonBody(body: unknown): unknown {
  if (body === undefined || body === null) return {};
  if (!Buffer.isBuffer(body)) return body;
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RightsizeError('invalid_json', 'The request body is not valid JSON; send a JSON object.');
  }
}

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
