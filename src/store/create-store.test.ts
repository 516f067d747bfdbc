import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.ts';

describe('createStore', () => {
  it('refuses sqlite: with no path instead of opening a store in memory that is lost at exit', async () => {
    await expect(createStore('sqlite:')).rejects.toMatchObject({ code: 'invalid_config', param: 'store.url' });
    await expect(createStore('sqlite:  ')).rejects.toMatchObject({ code: 'invalid_config' });
    const memory = await createStore('sqlite::memory:');
    expect(await memory.queryRequestLogs()).toEqual([]);
    await memory.close();
  });

  it('names the schemes it takes for any other URL', async () => {
    await expect(createStore('mysql://localhost/x')).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('use sqlite:<path>'),
    });
    // The scheme is what is wrong: it is named; a password never is.
    const error = (await createStore('mysql://me:hunter2@db/x').catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/^store\.url with the scheme "mysql:" is not supported/);
    expect(error.message).not.toContain('hunter2');
  });
});
