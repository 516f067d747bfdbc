import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../catalog/create-catalog.ts';
import { toErrorResponse } from '../errors/error-table.ts';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import { registerSelectRoute } from './select-route.ts';
import type { SelectionResult } from './selection.ts';

const app = Fastify();
// Like the gateway: JSON bodies stay bytes, each route parses its own.
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
// The same conversion the gateway's error handler does, so the envelope is checked end to end.
app.setErrorHandler((error, _request, reply) => {
  if (!isRightsizeError(error)) throw error;
  const { status, body } = toErrorResponse(error);
  return reply.status(status).send(body);
});
registerSelectRoute(app, { catalog: createCatalog() });
afterAll(() => app.close());

describe('POST /v1/rightsize/select', () => {
  it('answers the decision matrix as JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/rightsize/select',
      payload: {
        profile: { task: 'varied', modalities: ['text', 'image'] },
        deployment: { target: 'on-prem' },
      },
    });
    expect(response.statusCode).toBe(200);
    const result = response.json<SelectionResult>();
    expect(result.ranked[0]?.class).toBe('multimodal');
    expect(result.excluded.find((model) => model.id === 'gpt-4o')?.constraint).toBe('deployment');
  });

  it('names relaxations by JSON field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/rightsize/select',
      payload: { profile: { task: 'varied' }, requirements: { maxCostUsd: 0.000001, tokensIn: 1000 } },
    });
    const result = response.json<SelectionResult>();
    expect(result.ranked.filter((model) => model.class !== 'slm')).toEqual([]);
    expect(result.relaxations[0]?.message).toMatch(/^raise requirements\.maxCostUsd to /);
  });

  it('refuses a body that is not JSON with invalid_json', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/rightsize/select',
      headers: { 'content-type': 'application/json' },
      payload: '{"profile": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  const bad: Array<{ name: string; payload: unknown; param: string }> = [
    { name: 'unknown key', payload: { profile: { task: 'varied', colour: 'red' } }, param: 'body.profile' },
    { name: 'bad task', payload: { profile: { task: 'sometimes' } }, param: 'body.profile.task' },
    {
      name: 'accuracy above 1',
      payload: { profile: { task: 'varied' }, requirements: { minAccuracy: 98 } },
      param: 'body.requirements.minAccuracy',
    },
    { name: 'missing profile', payload: {}, param: 'body.profile' },
  ];
  it('says what is wrong with a field: missing, of the wrong type, or a body that is not an object', async () => {
    const message = async (payload: unknown) =>
      (
        await app.inject({
          method: 'POST',
          url: '/v1/rightsize/select',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
      ).json<{ error: { message: string } }>().error.message;
    expect(await message({ profile: { task: 'varied' }, requirements: { minAccuracy: 'high' } })).toBe(
      'body.requirements.minAccuracy: expected number, got string',
    );
    expect(await message({})).toBe('body.profile: is required');
    // An unknown field is named first: it is usually the missing one misspelt.
    expect(await message({ task: 'varied' })).toBe('body: unknown field task');
    expect(await message([])).toBe('body: expected a JSON object');
  });

  it.each(bad)('refuses $name with invalid_request naming the field', async ({ payload, param }) => {
    const response = await app.inject({ method: 'POST', url: '/v1/rightsize/select', payload: payload as object });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_request', type: 'invalid_request_error', param } });
  });
});
