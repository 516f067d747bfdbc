import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerTrainCommand } from './train.ts';

const folder = mkdtempSync(join(tmpdir(), 'rightsize-train-small-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('rightsize train on too few rows', () => {
  it('names the file and its rows, and asks for rows rather than a --valid-fraction that cannot help', async () => {
    const data = join(folder, 'tiny.csv');
    writeFileSync(data, 'text,label\nwhere is my card,card_arrival\nrefund me,refund\n');
    const registry = join(folder, 'registry');
    const program = new Command('rightsize').exitOverride();
    registerTrainCommand(program);
    const args = ['train', '--data', data, '--name', 'tiny', '--registry', registry, '--valid-fraction', '0.5'];
    await expect(program.parseAsync(['node', 'rightsize', ...args])).rejects.toThrow(
      `${data} has 2 rows in 2 labels, at most 1 per label: the validation split (held out for calibration) would be empty, since at --valid-fraction 0.5 a label needs at least 2 rows to give one to it and keep one for training; add rows (a few dozen per label for a useful calibration)`,
    );
    // Refused before any training: nothing written.
    expect(existsSync(join(registry, 'tiny'))).toBe(false);
  });
});
