import type { RightsizeError, RightsizeErrorCode } from './rightsize-error.ts';

/** OpenAI's `error.type` values, plus Rightsize's own for failures OpenAI has no word for. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'api_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'server_error';

/**
 * Every error code's HTTP status and OpenAI `error.type`. Typed as a `Record` over the closed
 * union so that a new code without a row does not compile.
 * Statuses follow OpenAI's API reference (400, 401, 404, 409, 413), RFC 9110 for gateways
 * (502 Bad Gateway, 504 Gateway Timeout), and nginx's 499 for a client that closed the request.
 */
export const ERROR_TABLE: Readonly<Record<RightsizeErrorCode, { status: number; type: OpenAIErrorType }>> = {
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  invalid_input: { status: 400, type: 'invalid_request_error' },
  unauthorized: { status: 401, type: 'authentication_error' },
  forbidden: { status: 403, type: 'permission_error' },
  model_not_found: { status: 404, type: 'not_found_error' },
  not_found: { status: 404, type: 'not_found_error' },
  conflict: { status: 409, type: 'conflict_error' },
  // nginx's 499: the client went away before the answer; it is logged, never sent.
  client_closed_request: { status: 499, type: 'invalid_request_error' },
  payload_too_large: { status: 413, type: 'invalid_request_error' },
  no_model_qualifies: { status: 422, type: 'invalid_request_error' },
  provider_not_configured: { status: 503, type: 'api_error' },
  // A request still running when the shutdown grace period ends: stopped, answered, logged; retry it.
  shutting_down: { status: 503, type: 'api_error' },
  upstream_error: { status: 502, type: 'upstream_error' },
  upstream_invalid_request: { status: 400, type: 'invalid_request_error' },
  upstream_stream_error: { status: 502, type: 'upstream_error' },
  upstream_timeout: { status: 504, type: 'timeout_error' },
  invalid_config: { status: 500, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
};

/** OpenAI's error envelope: `{"error":{"message","type","code","param"}}`. */
export interface OpenAIErrorEnvelope {
  error: { message: string; type: OpenAIErrorType; code: RightsizeErrorCode; param: string | null };
}

/** The HTTP status and body for an error, ready to send. */
export function toErrorResponse(error: RightsizeError): { status: number; body: OpenAIErrorEnvelope } {
  const row = ERROR_TABLE[error.code];
  return {
    status: row.status,
    body: { error: { message: error.message, type: row.type, code: error.code, param: error.param ?? null } },
  };
}
