import { describe, expect, it } from 'vitest';
import { createMicroBatcher } from './micro-batcher.ts';

describe('createMicroBatcher', () => {
  it('groups concurrent calls into batches, one batch at a time, and keeps the order of answers', async () => {
    const batches: number[][] = [];
    let running = 0;
    let overlapped = false;
    const double = createMicroBatcher({
      maxBatch: 4,
      run: async (inputs: number[]) => {
        running++;
        if (running > 1) overlapped = true;
        batches.push(inputs);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return inputs.map((input) => input * 2);
      },
    });
    const first = await Promise.all([1, 2, 3, 4, 5, 6].map((input) => double(input)));
    expect(first).toEqual([2, 4, 6, 8, 10, 12]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(overlapped).toBe(false);
    expect(await double(21)).toBe(42);
  });

  it('drops a call whose signal aborts while it waits for a batch, and runs the rest', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const double = createMicroBatcher({
      maxBatch: 8,
      run: async (inputs: number[]) => {
        batches.push(inputs);
        // The first batch holds until released: the later calls wait in the queue meanwhile.
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return inputs.map((input) => input * 2);
      },
    });
    const first = double(1);
    await new Promise((resolve) => setImmediate(resolve));
    const leaving = new AbortController();
    const left = double(2, leaving.signal);
    const stays = double(3, new AbortController().signal);
    leaving.abort(new Error('client left'));
    await expect(left).rejects.toThrow('client left');
    release();
    expect(await first).toBe(2);
    expect(await stays).toBe(6);
    expect(batches).toEqual([[1], [3]]);
    // Already aborted: never queued.
    await expect(double(4, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(batches).toEqual([[1], [3]]);
  });

  it('rejects every call of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const run = createMicroBatcher({
      run: async (inputs: string[]) => {
        if (fail) throw new Error('encoder failed');
        return inputs.map((input) => input.toUpperCase());
      },
    });
    const results = await Promise.allSettled([run('a'), run('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await run('c')).toBe('C');
  });
});
