import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRightsizeError } from '../../errors/rightsize-error.ts';
import { scoreAnswer, trainCascadeScorer, weakAcceptable } from './cascade-scorer.ts';
import {
  loadCascadeScorer,
  loadOrTrainCascadeScorer,
  loadPreRouter,
  readRouterModel,
  routerPath,
} from './load-cascade-scorer.ts';
import { loadOutcomeFile } from './load-outcome-file.ts';
import { scorePrompt, strongWins, trainPreRouter } from './pre-router.ts';

const tiny = loadOutcomeFile(fileURLToPath(new URL('./fixtures/tiny-outcomes.jsonl', import.meta.url)));
const folder = mkdtempSync(join(tmpdir(), 'rightsize-router-'));

describe('router files', () => {
  it('labels: acceptable unless the strong model wins (or, with weak-correct, only when right)', () => {
    expect(tiny.items.map((item) => weakAcceptable(item))).toEqual([false, true, true, true, false]);
    expect(tiny.items.map((item) => weakAcceptable(item, 'weak-correct'))).toEqual([false, true, false, true, false]);
    expect(tiny.items.map((item) => strongWins(item))).toEqual([true, false, false, false, true]);
  });

  it('saves and loads a cascade scorer that scores like the trained model', () => {
    const model = trainCascadeScorer(tiny.items, { name: 'tiny-cascade', epochs: 50, learningRate: 0.3 });
    model.threshold = 0.5;
    const path = join(folder, 'cascade.json');
    writeFileSync(path, JSON.stringify(model));
    const scorer = loadCascadeScorer(path);
    expect(scorer.name).toBe('tiny-cascade');
    expect(scorer.threshold).toBe(0.5);
    const wrong = scorer.score('What is 2 + 3?', '2 + 3 = 6. #### 6');
    const right = scorer.score('What is 1 + 1?', '1 + 1 = 2. #### 2');
    expect(wrong).toBeCloseTo(scoreAnswer(model, 'What is 2 + 3?', '2 + 3 = 6. #### 6'), 12);
    // trained on these very items: the acceptable answer must score above the strong win
    expect(right).toBeGreaterThan(wrong);
    expect(() => loadPreRouter(path)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('saves and loads a pre-router', () => {
    const model = trainPreRouter(tiny.items, { name: 'tiny-pre', epochs: 50, learningRate: 0.3 });
    const path = join(folder, 'pre.json');
    writeFileSync(path, JSON.stringify(model));
    const router = loadPreRouter(path);
    expect(router.score('What is 2 + 3?')).toBeCloseTo(scorePrompt(model, 'What is 2 + 3?'), 12);
    expect(() => loadCascadeScorer(path)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('refuses a missing or foreign file with invalid_config', () => {
    const foreign = join(folder, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ hello: 'world' }));
    for (const path of [join(folder, 'missing.json'), foreign]) {
      try {
        loadCascadeScorer(path);
        expect.unreachable();
      } catch (error) {
        expect(isRightsizeError(error, 'invalid_config')).toBe(true);
      }
    }
  });

  it('refuses to train a cascade scorer without weak answers', () => {
    const items = tiny.items.map(({ weakAnswer: _, ...item }) => item);
    expect(() => trainCascadeScorer(items)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('finds a scorer by name, and trains cascade-gsm8k when it is missing', async () => {
    expect(routerPath('cascade-gsm8k', '/x/routers/')).toBe('/x/routers/cascade-gsm8k.json');
    expect(() => routerPath('../etc/passwd')).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    await expect(loadOrTrainCascadeScorer({ name: 'cascade-unknown', dir: folder })).rejects.toMatchObject({
      code: 'invalid_config',
    });
    const scorer = await loadOrTrainCascadeScorer({ name: 'cascade-gsm8k', dir: folder });
    expect(scorer.name).toBe('cascade-gsm8k');
    const again = await loadOrTrainCascadeScorer({ name: 'cascade-gsm8k', dir: folder });
    const prompt =
      'James runs 3 sprints 3 times a week. He runs 60 meters each sprint. How many total meters does he run a week?';
    const right =
      'He runs 3 x 60 = <<3*60=180>>180 meters per session.\nSo 180 x 3 = <<180*3=540>>540 meters.\n#### 540';
    const wrong =
      'He runs 3 x 60 = <<3*60=187>>187 meters per session.\nSo 187 x 3 = <<187*3=540>>540 meters.\n#### 540';
    expect(again.score(prompt, right)).toBeCloseTo(scorer.score(prompt, right), 12);
    // two broken calculations must lower the acceptance probability
    expect(scorer.score(prompt, wrong)).toBeLessThan(scorer.score(prompt, right) - 0.1);
  });
});

describe('readRouterModel on a file that is not a router', () => {
  const spaced = join(folder, 'with space');
  mkdirSync(spaced, { recursive: true });

  it('says what the file holds and suggests a fresh path, quoted where needed, never the file itself', () => {
    const data = join(spaced, 'sub.jsonl');
    writeFileSync(data, '{"prompt":"a","weak_correct":1}\n{"prompt":"b","weak_correct":0}\n');
    const message = failure(() => readRouterModel(data));
    expect(message).toBe(
      `'${data}' is not a router file (rightsize-weak-strong-router/1): it holds JSON lines (2 lines: an outcome or labelled data file, perhaps); give a file written by \`rightsize router train\`, or train one with \`npx rightsize router train --kind cascade --data gsm8k --out .rightsize/routers/cascade-gsm8k.json\``,
    );
    expect(message).not.toContain(`--out ${data}`);
    expect(message).not.toContain(`--out '${data}'`);
  });

  it('names the fields of a foreign JSON object, and text that is not JSON', () => {
    const foreign = join(folder, 'foreign-fields.json');
    writeFileSync(foreign, JSON.stringify({ hello: 'world', version: 2 }));
    expect(failure(() => readRouterModel(foreign))).toContain('it holds a JSON object with fields hello, version;');
    const notes = join(folder, 'notes.txt');
    writeFileSync(notes, 'some notes\nmore notes\n');
    expect(failure(() => readRouterModel(notes))).toContain('it holds text that is not JSON;');
  });

  it('suggests training at the missing path itself, quoted', () => {
    const missing = join(spaced, "it's.json");
    expect(failure(() => readRouterModel(missing))).toBe(
      `no router file at '${missing.replace("'", `'\\''`)}': train one with \`npx rightsize router train --kind cascade --data gsm8k --out '${missing.replace("'", `'\\''`)}'\``,
    );
  });
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isRightsizeError(error, 'invalid_config')) return error.message;
    throw error;
  }
  throw new Error('expected a RightsizeError');
}
