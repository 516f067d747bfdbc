import { randomUUID } from 'node:crypto';

/**
 * A request id: `req_` then 32 hex digits, 12 of the time in ms (as in UUIDv7, RFC 9562) and 20
 * random (80 bits). Ids sort by time, so the request log's primary-key index grows at its end;
 * random ids made every logged row rewrite pages all over that index, on the event loop (better-sqlite3
 * is synchronous): about 70 µs per row once the log held 100k rows, against about 20 µs (docs/benchmarks.md).
 * @param now time in epoch ms. @default Date.now()
 */
export function createRequestId(now: number = Date.now()): string {
  // A v4 UUID is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: skip the dashes, the version and the variant digit.
  const uuid = randomUUID();
  return `req_${now.toString(16).padStart(12, '0')}${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(15, 18)}${uuid.slice(24, 29)}`;
}
