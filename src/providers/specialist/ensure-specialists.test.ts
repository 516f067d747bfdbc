import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { specialistsConfigSchema } from '../../config/config-schema.ts';
import { banking77Sample } from '../../specialists/banking77-sample.ts';
import { listSpecialists } from '../../specialists/registry/load-specialist.ts';
import { ensureSpecialists } from './ensure-specialists.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-ensure-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('ensureSpecialists', () => {
  it('trains what is missing, keeps what is there, and explains a missing data file', async () => {
    const rows = banking77Sample({ split: 'train', labels: 4, perLabel: 40 });
    const csv = ['text,intent', ...rows.map((row) => `"${row.text.replaceAll('"', '""')}",${row.label}`)].join('\n');
    writeFileSync(join(folder, 'tickets.csv'), csv);
    const config = specialistsConfigSchema.parse({
      registry: 'registry',
      train: [
        { name: 'tickets', data: 'tickets.csv', labelColumn: 'intent', arch: 'fasttext', validFraction: 0.2 },
        { name: 'elsewhere', data: 'missing/train.csv', arch: 'fasttext' },
      ],
    });
    const stages: string[] = [];
    const first = await ensureSpecialists(config, {
      baseDir: folder,
      onProgress: (name, progress) => stages.push(`${name}:${progress.stage}`),
    });
    expect(first.trained.map((metadata) => metadata.name)).toEqual(['tickets']);
    expect(first.trained[0]?.training).toMatchObject({ rows: 160, validFraction: 0.2, dataPath: 'tickets.csv' });
    expect(stages).toContain('tickets:fasttext');
    expect(first.skipped).toHaveLength(1);
    expect(first.skipped[0]?.name).toBe('elsewhere');
    expect(first.skipped[0]?.reason).toContain('specialists.train[1].data');
    expect(first.skipped[0]?.reason).toContain('rightsize train');
    expect(listSpecialists(join(folder, 'registry')).map((entry) => entry.name)).toEqual(['tickets']);

    const second = await ensureSpecialists(config, { baseDir: folder });
    expect(second.trained).toEqual([]);
    expect(second.present).toEqual(['tickets']);
  });
});
