import { describe, expect, it } from 'vitest';
import { createCatalog } from '../catalog/create-catalog.ts';
import { knownTaskFamilies, resolveTaskFamily } from './resolve-task-family.ts';

const catalog = createCatalog([]);

describe('resolveTaskFamily', () => {
  it('knows the families the built-in catalog measured', () => {
    expect(knownTaskFamilies(catalog)).toEqual(expect.arrayContaining(['banking77', 'gsm8k', 'mmlu']));
    expect(resolveTaskFamily(catalog, 'banking77')).toBe('banking77');
  });

  it('matches a family written in another case', () => {
    expect(resolveTaskFamily(catalog, 'Banking77')).toBe('banking77');
    expect(resolveTaskFamily(catalog, 'GSM8K')).toBe('gsm8k');
  });

  it('refuses a family the catalog does not know, listing the known ones', () => {
    expect(() => resolveTaskFamily(catalog, 'nope')).toThrow(
      `--task-family nope: the catalog has no measurements for that task family (known: ${knownTaskFamilies(catalog).join(', ')}); pass one of those, add the family's figures to a model's quality in the config, or leave --task-family out to rank on estimated accuracy`,
    );
  });
});
