import { describe, expect, it } from 'vitest';
import type { Promotion } from '../store/store.ts';
import { publicPromoteResult } from './public-promotion.ts';

const promotion = (matcher: string): Promotion => ({
  familyId: 'fam_tickets',
  matcher,
  specialist: 'tickets',
  mode: 'active',
  threshold: 0.9,
  updatedAt: 1,
  note: null,
});

describe('publicPromoteResult (promote --json and the HTTP API)', () => {
  it('gives the matcher as an object, and keeps text that is not JSON as it is', () => {
    const shown = publicPromoteResult({
      promotion: promotion('{"kind":"tag","tag":"tickets"}'),
      previous: promotion('not json'),
      shadow: undefined,
    });
    expect(shown.promotion.matcher).toEqual({ kind: 'tag', tag: 'tickets' });
    expect(shown.previous?.matcher).toBe('not json');
    expect(shown.promotion.threshold).toBe(0.9);
  });
});
