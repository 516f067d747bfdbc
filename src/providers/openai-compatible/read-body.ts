import type { Dispatcher } from 'undici';

/** What {@link readBody} read: the bytes, and why it stopped early, if it did. */
export interface BodyRead {
  /** The bytes read, at most `limit`. */
  bytes: Buffer;
  /** `over`: the body holds (or declares) more than `limit` bytes; `late`: still arriving at the deadline. */
  stopped: 'over' | 'late' | undefined;
}

/**
 * Reads an answer body up to `limit` bytes, and stops (destroying the rest, unread) when it holds
 * more, declares more in `content-length`, or is still arriving at `deadline` (a `performance.now()`
 * time). Errors of the body itself (a reset, undici's body timeout) are thrown.
 */
export async function readBody(
  response: Dispatcher.ResponseData,
  limit: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<BodyRead> {
  const declared = Number(response.headers['content-length']);
  if (declared > limit) {
    discard(response);
    return { bytes: Buffer.alloc(0), stopped: 'over' };
  }
  const chunks: Buffer[] = [];
  let length = 0;
  let stopped: BodyRead['stopped'];
  // Leaving the loop early destroys the body, whose `error` event then needs a listener (the loop
  // itself still sees the body's own errors).
  response.body.on('error', () => {});
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (length + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - length));
      length = limit;
      stopped = 'over';
      break;
    }
    chunks.push(chunk);
    length += chunk.length;
    if (performance.now() > deadline) {
      stopped = 'late';
      break;
    }
  }
  if (stopped) discard(response);
  return { bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length), stopped };
}

/**
 * Stops reading an answer body. undici's body emits `error` when destroyed unread: without a listener
 * that would be an uncaught exception and end the process.
 */
export function discard(response: Dispatcher.ResponseData): void {
  response.body.on('error', () => {});
  response.body.destroy();
}
