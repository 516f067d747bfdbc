/**
 * Groups single calls that arrive while a batch is running into the next batch: the sentence
 * encoder costs about 30 ms for one text alone and about 8 ms a text in batches, so concurrent
 * requests to an encoder specialist share passes instead of queueing one by one.
 * One batch runs at a time; a batch holds at most `maxBatch` items. A call whose `signal` aborts
 * while it still waits for a batch leaves the queue and rejects with the signal's reason (a client
 * that left costs no encoder time); once its batch runs, it is no longer cancelled.
 */
export function createMicroBatcher<Input, Output>(options: {
  run: (inputs: Input[]) => Promise<Output[]>;
  /** @default 64 */
  maxBatch?: number;
}): (input: Input, signal?: AbortSignal) => Promise<Output> {
  const maxBatch = options.maxBatch ?? 64;
  const queue: Array<{ input: Input; resolve: (output: Output) => void; reject: (error: unknown) => void }> = [];
  let running = false;

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        try {
          const outputs = await options.run(batch.map((entry) => entry.input));
          for (const [index, entry] of batch.entries()) entry.resolve(outputs[index] as Output);
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      running = false;
    }
  };

  return (input: Input, signal?: AbortSignal) =>
    new Promise<Output>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const entry = { input, resolve, reject };
      if (signal) {
        const leave = (): void => {
          const position = queue.indexOf(entry);
          if (position < 0) return;
          queue.splice(position, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', leave, { once: true });
        entry.resolve = (output) => {
          signal.removeEventListener('abort', leave);
          resolve(output);
        };
        entry.reject = (error) => {
          signal.removeEventListener('abort', leave);
          reject(error);
        };
      }
      queue.push(entry);
      // Let the calls of the current tick join the first batch.
      if (!running) setImmediate(() => void drain());
    });
}
