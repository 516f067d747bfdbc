/**
 * The one error class of Rightsize. Every failure that can reach a client or a CLI user is a
 * `RightsizeError` with a `code` from the closed union {@link RightsizeErrorCode}; the table in
 * `error-table.ts` maps each code to an HTTP status and an OpenAI `error.type`, so the compiler
 * forces every new code to be mapped.
 *
 * Messages say how to fix the problem. They never contain prompts, completions or secrets.
 */
export type RightsizeErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'model_not_found'
  | 'not_found'
  | 'payload_too_large'
  | 'conflict'
  | 'client_closed_request'
  | 'no_model_qualifies'
  | 'upstream_error'
  | 'upstream_invalid_request'
  | 'upstream_timeout'
  | 'upstream_stream_error'
  | 'provider_not_configured'
  | 'shutting_down'
  | 'invalid_config'
  | 'invalid_input'
  | 'internal_error';

/** Details of a failed call to a provider, carried by `upstream_*` errors. */
export interface UpstreamErrorDetails {
  /** Provider id from the config, e.g. `openai`. */
  provider: string;
  /** HTTP status the provider answered with; absent for connect errors and timeouts. */
  status?: number;
  /** Whether trying again (or another model) may succeed. */
  retryable: boolean;
  /** The provider's request id (`x-request-id`), when it sent one. */
  requestId?: string;
}

export interface RightsizeErrorOptions {
  /** The request field the error is about, as OpenAI's `error.param` (e.g. `messages`). */
  param?: string;
  upstream?: UpstreamErrorDetails;
  cause?: unknown;
}

export class RightsizeError extends Error {
  override readonly name = 'RightsizeError';
  readonly code: RightsizeErrorCode;
  readonly param: string | undefined;
  readonly upstream: UpstreamErrorDetails | undefined;

  constructor(code: RightsizeErrorCode, message: string, options: RightsizeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.param = options.param;
    this.upstream = options.upstream;
  }

  /** True for upstream failures that a retry or another model may overcome. */
  get retryable(): boolean {
    return this.upstream?.retryable ?? false;
  }
}

/** Narrowing helper: `isRightsizeError(e, 'upstream_error')`. */
export function isRightsizeError(error: unknown, code?: RightsizeErrorCode): error is RightsizeError {
  return error instanceof RightsizeError && (code === undefined || error.code === code);
}
