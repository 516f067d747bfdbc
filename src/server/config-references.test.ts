import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvironment } from '../config/environment.ts';
import { parseConfig } from '../config/load-config.ts';
import { createRuntime } from './create-runtime.ts';

describe('config references, checked at start', () => {
  it('names every route tier and fallback that points at nothing', async () => {
    const config = parseConfig(`
store: { url: "sqlite::memory:" }
providers:
  site: { baseUrl: "http://127.0.0.1:9/v1", deployment: on-prem }
models:
  - { id: real, provider: site }
fallbacks:
  real: [nothing-here]
routes:
  triage:
    tiers:
      - { model: no-such-model }
      - { model: specialist/ghost }
      - { model: real }
      - { model: human }
`);
    const error = await createRuntime({ config, environment: readEnvironment({}) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_config' });
    const message = (error as Error).message;
    expect(message).toContain('routes.triage.tiers[0].model: "no-such-model"');
    expect(message).toContain('routes.triage.tiers[1].model: "specialist/ghost"');
    expect(message).toContain('fallbacks.real[0]: "nothing-here"');
    expect(message).not.toContain('tiers[2]');
    expect(message).not.toContain('tiers[3]');
  });

  it('refuses a base URL variable that is not an http(s) URL, naming the variable and not its value', async () => {
    const config = parseConfig(`
store: { url: "sqlite::memory:" }
providers:
  local: { baseUrl: "http://127.0.0.1:9/v1", baseUrlEnv: LOCAL_URL }
`);
    const error = await createRuntime({
      config,
      environment: readEnvironment({ LOCAL_URL: 'ftp://user:secret-token@host/v1' }),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_config' });
    expect((error as Error).message).toContain(
      'LOCAL_URL (the base URL of provider local) is not an http:// or https:// URL',
    );
    expect((error as Error).message).not.toContain('secret-token');
    const runtime = await createRuntime({
      config,
      environment: readEnvironment({ LOCAL_URL: 'http://127.0.0.1:8/v1' }),
    });
    await runtime.close();
  });

  it('compiles the JSON schemas of acceptance rules at start and names the key of one that cannot compile', async () => {
    const config = (schema: string) =>
      parseConfig(`
store: { url: "sqlite::memory:" }
routes:
  js:
    tiers:
      - { model: gpt-4o-mini }
      - { model: human, accept: { jsonSchema: ${schema} } }
`);
    const error = await createRuntime({ config: config('{ type: banana }'), environment: readEnvironment({}) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'invalid_config' });
    expect((error as Error).message).toContain(
      'routes.js.tiers[1].accept.jsonSchema: invalid JSON schema: data/type must be equal to one of the allowed values',
    );
    const runtime = await createRuntime({
      config: config('{ type: object, required: [name] }'),
      environment: readEnvironment({}),
    });
    await runtime.close();
  });

  it('refuses before the store is opened: a refused start leaves no database file behind', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rightsize-refs-'));
    try {
      const db = join(folder, 'store', 'rightsize.db');
      const config = parseConfig(
        `store: { url: "sqlite:${db}" }\nroutes:\n  r:\n    tiers: [{ model: no-such-model }]\n`,
      );
      await expect(createRuntime({ config, environment: readEnvironment({}) })).rejects.toMatchObject({
        code: 'invalid_config',
      });
      expect(existsSync(db)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses a route named like a model, label checks without labels, and a route calibration naming no route', async () => {
    const config = parseConfig(`
store: { url: "sqlite::memory:" }
specialists: { calibrateRoutes: [{ route: tickets, targetAccuracy: 0.97 }] }
models:
  - { id: mine, provider: nope }
  - { id: twice, provider: openai }
  - { id: twice, provider: anthropic }
routes:
  gpt-4o-mini:
    tiers: [{ model: human }]
  auto:
    tiers: [{ model: human }]
  unlabelled:
    tiers: [{ model: gpt-4o-mini, accept: { labels: true } }, { model: human }]
  later-labels:
    labelsFrom: trained-later
    tiers: [{ model: gpt-4o-mini, accept: { labels: true } }, { model: human }]
`);
    const error = await createRuntime({ config, environment: readEnvironment({}) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_config' });
    const message = (error as Error).message;
    expect(message).toContain('routes.gpt-4o-mini: the route has the name of a model, which it would hide');
    expect(message).toContain('specialists.calibrateRoutes[0].route: "tickets" is not a route of routes');
    expect(message).toContain('routes.auto: the route has the name of a model');
    expect(message).toContain('routes.unlabelled.tiers[0].accept.labels: the route has no labels to check against');
    expect(message).toContain('models[0].provider: "nope" is not a provider of providers');
    expect(message).toContain('models[2].id: "twice" is listed twice');
    expect(message).not.toContain('models[1]');
    // A specialist may be trained after start (\`rightsize train\` beside a running gateway): a warning, not a refusal.
    expect(message).not.toContain('later-labels');
    const warnings: string[] = [];
    const runtime = await createRuntime({
      config: parseConfig(`
store: { url: "sqlite::memory:" }
routes:
  later-labels:
    labelsFrom: trained-later
    tiers: [{ model: gpt-4o-mini, accept: { labels: true } }, { model: human }]
`),
      environment: readEnvironment({}),
      onWarning: (warning) => warnings.push(String(warning)),
    });
    await runtime.close();
    expect(warnings).toEqual([
      'Error: routes.later-labels.labelsFrom: specialist/trained-later is not trained (nor listed in specialists.train): until it is, the route has no labels, so its label tiers refuse every answer and escalate',
    ]);
  });
});
