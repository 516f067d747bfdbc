import { describe, expect, it } from 'vitest';
import { RequestLogWriter } from './request-log-writer.ts';
import { createSqliteStore } from './sqlite/create-sqlite-store.ts';
import type { Store } from './store.ts';
import { sampleLogRecord } from './store-conformance.ts';

describe('RequestLogWriter', () => {
  it('writes a full batch at once and the rest on close', async () => {
    const store = await createSqliteStore(':memory:');
    const writer = new RequestLogWriter({ store, batchSize: 10, flushIntervalMs: 60_000 });
    for (let index = 0; index < 25; index++) writer.append(sampleLogRecord({ id: `r${index}` }));
    await writer.flush();
    expect(await store.countRequestLogs()).toBe(25);
    writer.append(sampleLogRecord({ id: 'late' }));
    expect(writer.pending).toBe(1);
    await writer.close();
    expect(await store.countRequestLogs()).toBe(26);
    await store.close();
  });

  it('keeps rows when a write fails and writes them on the next flush', async () => {
    const real = await createSqliteStore(':memory:');
    let failures = 1;
    const errors: unknown[] = [];
    const flaky: Store = {
      ...real,
      insertRequestLogs: async (rows) => {
        if (failures-- > 0) throw new Error('disk full');
        await real.insertRequestLogs(rows);
      },
    };
    const writer = new RequestLogWriter({ store: flaky, batchSize: 100, onError: (error) => errors.push(error) });
    writer.append(sampleLogRecord({ id: 'a' }));
    writer.append(sampleLogRecord({ id: 'b' }));
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(writer.pending).toBe(2);
    await writer.close();
    expect(await real.countRequestLogs()).toBe(2);
    await real.close();
  });
});
