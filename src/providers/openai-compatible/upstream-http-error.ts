import type { Dispatcher } from 'undici';
import { RightsizeError } from '../../errors/rightsize-error.ts';
import { readBody } from './read-body.ts';
import { isRetryableStatus } from './retry-policy.ts';

/** Longest upstream error text kept in a message, in characters. */
const MAX_MESSAGE_CHARS = 300;

/**
 * Turns a provider's HTTP error answer into a `RightsizeError`, naming the provider and never
 * repeating anything that looks like a credential. 401/403 mean Rightsize's own key for the
 * provider is wrong, so the client gets a 502 that names the environment variable to check;
 * other 4xx answers are the request's fault and keep their meaning (`upstream_invalid_request`).
 */
export async function upstreamHttpError(
  provider: { id: string; apiKeyEnv?: string },
  response: Dispatcher.ResponseData,
): Promise<RightsizeError> {
  const status = response.statusCode;
  // An error page can be large: its first 4 KiB are all a message keeps.
  const text = await readBody(response, 4096).then(
    (read) => read.bytes.toString('utf8'),
    () => '',
  );
  const requestId = headerValue(response.headers['x-request-id']);
  const upstream = {
    provider: provider.id,
    status,
    retryable: isRetryableStatus(status),
    ...(requestId ? { requestId } : {}),
  };
  if (status === 401 || status === 403) {
    const where = provider.apiKeyEnv ? `the key in ${provider.apiKeyEnv}` : 'its API key (set apiKeyEnv in the config)';
    return new RightsizeError(
      'upstream_error',
      `Provider ${provider.id} refused Rightsize's credentials (${status}); check ${where}.`,
      { upstream },
    );
  }
  const { message, param } = errorFields(text);
  const detail = redact(message);
  if (upstream.retryable) {
    const what = status === 429 ? 'is rate limiting' : `failed (${status})`;
    return new RightsizeError('upstream_error', `Provider ${provider.id} ${what}${detail ? `: ${detail}` : ''}.`, {
      upstream,
    });
  }
  // The provider's `param` names the field of the client's request it refused: keep it.
  return new RightsizeError(
    'upstream_invalid_request',
    `Provider ${provider.id} rejected the request (${status})${detail ? `: ${detail}` : ''}.`,
    { upstream, ...(param ? { param } : {}) },
  );
}

/** The message (and `param`, when a string of at most 100 characters) of an error body: OpenAI's envelope, a bare `error` string, or the raw text. */
function errorFields(text: string): { message: string; param: string | undefined } {
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === 'object' && json !== null && 'error' in json) {
      const error = json.error;
      if (typeof error === 'string') return { message: error.slice(0, MAX_MESSAGE_CHARS), param: undefined };
      if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
        const param =
          'param' in error && typeof error.param === 'string' && error.param.length <= 100 ? error.param : undefined;
        return { message: error.message.slice(0, MAX_MESSAGE_CHARS), param: param && redact(param) };
      }
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return { message: text.trim().slice(0, MAX_MESSAGE_CHARS), param: undefined };
}

/** Masks anything shaped like a bearer token or an API key (`sk-...`, long hex or base64 runs). */
export function redact(text: string): string {
  return text
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\b(sk|pk|rk|key)[-_][A-Za-z0-9_\-*]{8,}/gi, '[redacted]')
    .replace(/\b[A-Za-z0-9_-]{32,}\b/g, '[redacted]');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
