import { RightsizeError } from '../errors/rightsize-error.ts';

/**
 * A request body as a value. The gateway keeps JSON bodies as bytes (its chat route forwards them
 * as they are), so a Buffer is parsed here; an empty or absent body is `{}`.
 * @throws RightsizeError `invalid_json` when the bytes are not JSON.
 */
export function jsonBody(body: unknown): unknown {
  if (body === undefined || body === null) return {};
  if (!Buffer.isBuffer(body)) return body;
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RightsizeError('invalid_json', 'The request body is not valid JSON; send a JSON object.');
  }
}
