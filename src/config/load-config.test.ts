import { describe, expect, it } from 'vitest';
import { isRightsizeError } from '../errors/rightsize-error.ts';
import { loadConfig, parseConfig } from './load-config.ts';

function configError(text: string): string {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    if (isRightsizeError(error, 'invalid_config')) return error.message;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadConfig', () => {
  it('loads the embedded default with its route and specialists', () => {
    const { config, source } = loadConfig({ cwd: '/nonexistent-folder' });
    expect(source).toBe('embedded default');
    expect(config.server.port).toBe(8080);
    expect(config.routes['support-triage']?.tiers.map((tier) => tier.model)).toEqual([
      'specialist/support-triage-fasttext',
      'specialist/support-triage',
      'gpt-4o-mini',
      'human',
    ]);
    expect(config.human.costPerItemUsd).toBe(5);
    expect(config.specialists.calibrateRoutes).toEqual([
      { route: 'support-triage', targetAccuracy: 0.97, confidence: 0.95 },
    ]);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('names the key and the fix for a wrong type', () => {
    const message = configError('server:\n  port: "eighty"\n');
    expect(message).toContain('server.port');
    expect(message).toContain('test.yaml');
  });

  it('names unknown keys', () => {
    expect(configError('server:\n  prot: 80\n')).toMatch(/server: unknown key "prot"/);
  });

  it('refuses a client key id with a slash (reviewers under a key are recorded as <id>/<name>)', () => {
    expect(configError('server:\n  apiKeys: [{ id: org/team-a, env: KEY_A }]\n')).toContain(
      'server.apiKeys[0].id: a key id cannot contain "/"',
    );
  });

  it('rejects a secret pasted where an environment variable name belongs', () => {
    const message = configError(
      'providers:\n  openai:\n    baseUrl: https://api.openai.com/v1\n    apiKeyEnv: sk-abc123-secret\n',
    );
    expect(message).toContain('providers.openai.apiKeyEnv');
    expect(message).toContain('NAME of an environment variable');
    expect(message).not.toContain('sk-abc123-secret');
    // One message for one mistake.
    const pasted = configError(
      'providers:\n  p: { baseUrl: "http://x.test/v1", apiKeyEnv: sk-proj-abcdefghij0123456789 }\n',
    );
    expect(pasted.match(/apiKeyEnv/g)).toHaveLength(1);
    const random = 'K7QX2M9PZ4R8VJ3WT6LB';
    const caps = configError(
      `providers:\n  openai:\n    baseUrl: https://api.openai.com/v1\n    apiKeyEnv: ${random}\n`,
    );
    expect(caps).toContain('looks like a key');
    expect(caps).not.toContain(random);
    expect(() =>
      parseConfig('providers:\n  openai:\n    baseUrl: https://x.test/v1\n    apiKeyEnv: AZURE_OPENAI_API_KEY_2024\n'),
    ).not.toThrow();
  });

  it('refuses routes that would load and then never answer as meant', () => {
    const message = configError(`
routes:
  triage:
    labels: []
    tiers:
      - { model: human }
      - { model: gpt-4o-mini, accept: { calibrated: true } }
  both:
    labels: [a]
    labelsFrom: tickets
    tiers: [{ model: human }]
`);
    expect(message).toContain('routes.triage.labels: list at least one label');
    expect(message).toContain('routes.triage.tiers[0].model: human must be the last tier');
    expect(message).toContain('routes.triage.tiers[1].accept.calibrated: only specialist/NAME tiers');
    expect(message).toContain('routes.both.labelsFrom: give labels or labelsFrom, not both');
  });

  it('describes a provider that fits no kind against the closest kind, naming the key', () => {
    const message = configError('providers:\n  p: { baseUrl: "not a url", deployment: moon }\n');
    expect(message).toContain('providers.p.baseUrl: expected an http:// or https:// URL');
    expect(message).toContain('providers.p.deployment: expected one of "edge", "on-prem", "cloud"');
    expect(message).not.toContain('providers.p: Invalid input');
    expect(configError('server: { port: "80" }\n')).toContain('server.port: expected number, got string');
  });

  it('refuses a credential in a provider header, pointing at headersEnv', () => {
    for (const header of [
      'authorization: "Bearer abc"',
      'api-key: "0123456789abcdef0123456789"',
      'x-key: "sk-proj-abcdef123456"',
    ])
      expect(configError(`providers:\n  p: { baseUrl: "http://127.0.0.1:1/v1", headers: { ${header} } }\n`)).toMatch(
        /providers\.p\.headers\.[a-z-]+: looks like a credential: put it in an environment variable and name it under headersEnv/,
      );
    const config = parseConfig(
      'providers:\n  p: { baseUrl: "http://127.0.0.1:1/v1", headers: { x-team: blue, api-version: 2024-10-21, OpenAI-Organization: org-AbCdEf1234567890XyZ }, headersEnv: { api-key: AZURE_KEY } }\n',
    );
    expect(config.providers['p']).toMatchObject({ headersEnv: { 'api-key': 'AZURE_KEY' } });
  });

  it('refuses a credential in a base URL, and does not repeat it', () => {
    for (const url of [
      'http://user:pw-secret-1@127.0.0.1:1/v1',
      'https://x.test/v1?key=qs-secret-2',
      'https://x.test/v1?api-key=qs-secret-3',
      'http://sk-user-secret-4@127.0.0.1:1/v1',
    ]) {
      const message = configError(`providers:\n  p: { baseUrl: "${url}" }\n`);
      expect(message).toContain('providers.p.baseUrl: holds a credential');
      expect(message).not.toMatch(/secret-\d/);
    }
    expect(
      parseConfig('providers:\n  p: { baseUrl: "https://x.test/openai/v1?api-version=2024-10-21" }\n'),
    ).toBeDefined();
  });

  it('refuses a route label listed twice, or twice in different case', () => {
    const message = configError('routes:\n  r:\n    labels: [a, b, a, B]\n    tiers: [{ model: human }]\n');
    expect(message).toContain('routes.r.labels[2]: "a" repeats labels[0] ("a"); list each label once');
    expect(message).toContain('routes.r.labels[3]: "B" repeats labels[1] ("b")');
  });

  it('requires a base URL for each provider', () => {
    expect(configError('providers:\n  local: {}\n')).toContain('providers.local.baseUrl');
  });

  it('refuses a fallback that is the model itself or listed twice, and accepts two models falling back on each other', () => {
    expect(configError('fallbacks:\n  gpt-4o: [gpt-4o-mini, gpt-4o]\n')).toContain(
      'fallbacks.gpt-4o[1]: "gpt-4o" is the model itself',
    );
    expect(configError('fallbacks:\n  gpt-4o: [gpt-4o-mini, gpt-4o-mini]\n')).toContain(
      'fallbacks.gpt-4o[1]: "gpt-4o-mini" is already listed',
    );
    expect(parseConfig('fallbacks:\n  gpt-4o: [gpt-4o-mini]\n  gpt-4o-mini: [gpt-4o]\n').fallbacks).toEqual({
      'gpt-4o': ['gpt-4o-mini'],
      'gpt-4o-mini': ['gpt-4o'],
    });
  });

  it('rejects an acceptance regex that cannot compile, naming its key', () => {
    const message = configError('routes:\n  re:\n    tiers:\n      - { model: human, accept: { regex: "([" } }\n');
    expect(message).toContain('routes.re.tiers[0].accept.regex: invalid regular expression: /([/: Unterminated');
    expect(() =>
      parseConfig('routes:\n  re:\n    tiers: [{ model: human, accept: { regex: "^[A-Z]{3}$" } }]\n'),
    ).not.toThrow();
  });

  it('reports YAML whose aliases expand too far as a config error, not a crash', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 7; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(', ')}]`);
    }
    expect(configError(`${levels.join('\n')}\n`)).toMatch(/^test\.yaml: YAML that cannot be read: .*alias/i);
  });

  it('reports YAML syntax errors', () => {
    expect(configError('server: [\n')).toContain('YAML syntax error');
  });
});
