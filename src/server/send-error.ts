import type { FastifyError } from 'fastify';
import { toErrorResponse } from '../errors/error-table.ts';
import { isRightsizeError, RightsizeError } from '../errors/rightsize-error.ts';

/**
 * Converts anything thrown while serving a request into a `RightsizeError`, the one place where
 * framework and unknown errors get their code. Unknown errors become `internal_error` with a
 * message that names no internals.
 */
export function toRightsizeError(error: unknown, bodyLimitBytes: number): RightsizeError {
  if (isRightsizeError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RightsizeError(
        'payload_too_large',
        `The request body is over the limit of ${bodyLimitBytes} bytes; send less, or raise server.bodyLimitBytes.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RightsizeError('invalid_request', 'Send the body as JSON with "Content-Type: application/json".');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RightsizeError('invalid_json', 'The request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new RightsizeError('invalid_request', 'The Content-Length header does not match the body.');
    case 'FST_ERR_BAD_URL':
      return new RightsizeError('invalid_request', 'The URL is not valid (check its percent-encoding).');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    // Such messages may quote the request's URL, which can be kilobytes long: keep the start.
    const message = fastifyError.message ?? 'Bad request.';
    return new RightsizeError('invalid_request', message.length > 200 ? `${message.slice(0, 200)}...` : message);
  }
  return new RightsizeError(
    'internal_error',
    'Rightsize failed while serving the request; the gateway log has the details.',
    { cause: error },
  );
}

export { toErrorResponse };
