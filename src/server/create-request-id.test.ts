import { describe, expect, it } from 'vitest';
import { createRequestId } from './create-request-id.ts';

describe('createRequestId', () => {
  it('is req_ and 32 hex digits, starting with the time in ms', () => {
    const id = createRequestId(Date.UTC(2026, 10, 29, 9, 0, 0));
    expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(id.slice(4, 16)).toBe(Date.UTC(2026, 10, 29, 9, 0, 0).toString(16).padStart(12, '0'));
  });
  it('sorts by time, so the log index grows at its end', () => {
    const earlier = createRequestId(1_700_000_000_000);
    const later = createRequestId(1_700_000_000_001);
    expect(earlier < later).toBe(true);
  });
  it('does not repeat within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => createRequestId(1_700_000_000_000)));
    expect(ids.size).toBe(10_000);
  });
});
