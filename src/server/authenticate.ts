import { createHash } from 'node:crypto';
import type { Environment } from '../config/environment.ts';
import { RightsizeError } from '../errors/rightsize-error.ts';

/** What a client key may do (`server.apiKeys[].scopes`). */
export type KeyScope = 'chat' | 'review' | 'admin';

/** Checks `Authorization: Bearer <key>` against the configured client keys. */
export interface Authenticator {
  /** True when at least one key is configured (requests then need one). */
  readonly enabled: boolean;
  /**
   * The id of the key presented, or null when authentication is off.
   * @throws RightsizeError `unauthorized` when a key is required and missing or unknown;
   *   `forbidden` when the key lacks `scope` (undefined: any valid key will do).
   */
  authenticate(authorization: string | undefined, scope: KeyScope | undefined): string | null;
}

/**
 * Builds the key table from the config's `{id, env}` list; values are read from the environment
 * once and kept only as SHA-256 digests. A configured variable that is unset is an error, so a
 * typo cannot silently open the gateway.
 * @throws RightsizeError `invalid_config` naming the unset variable, or two keys holding one value.
 */
export function createAuthenticator(
  keys: ReadonlyArray<{ id: string; env: string; scopes?: readonly KeyScope[] }>,
  environment: Environment,
): Authenticator {
  const byDigest = new Map<string, string>();
  const scopesOf = new Map(keys.map((key) => [key.id, new Set<KeyScope>(key.scopes ?? ['chat', 'review'])]));
  for (const key of keys) {
    const value = environment.get(key.env);
    if (!value) {
      throw new RightsizeError(
        'invalid_config',
        `server.apiKeys: the environment variable ${key.env} (key "${key.id}") is not set; export it or remove the key.`,
      );
    }
    const same = byDigest.get(digest(value));
    if (same !== undefined) {
      // One secret under two ids: requests would be recorded under whichever came last.
      throw new RightsizeError(
        'invalid_config',
        `server.apiKeys: keys "${same}" and "${key.id}" hold the same value; give each key its own secret.`,
      );
    }
    byDigest.set(digest(value), key.id);
  }
  const enabled = byDigest.size > 0;
  return {
    enabled,
    authenticate(authorization, scope) {
      if (!enabled) return null;
      const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
      const id = match?.[1] ? byDigest.get(digest(match[1])) : undefined;
      if (id === undefined) {
        throw new RightsizeError(
          'unauthorized',
          'Missing or unknown API key; send "Authorization: Bearer <key>" with a key listed in server.apiKeys.',
        );
      }
      const scopes = scopesOf.get(id);
      if (scope !== undefined && !scopes?.has(scope)) {
        throw new RightsizeError(
          'forbidden',
          `The key "${id}" (scopes: ${[...(scopes ?? [])].join(', ')}) may not do this: it needs the "${scope}" scope; add it to the key's server.apiKeys[].scopes.`,
        );
      }
      return id;
    },
  };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64');
}
