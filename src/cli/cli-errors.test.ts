import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banking77Sample } from '../specialists/banking77-sample.ts';
import { createSqliteStore } from '../store/sqlite/create-sqlite-store.ts';

const bin = fileURLToPath(new URL('../../bin/rightsize.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const folder = mkdtempSync(join(tmpdir(), 'rightsize-cli-errors-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (bin/rightsize.js) in `folder`; a run that hangs is killed after `timeoutMs`. */
function run(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: folder, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

/** The run failed as a CLI must: exit 2, nothing on stdout, and exactly `rightsize: <message>` on stderr. */
function expectOneLineError(result: Run): string {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^rightsize: [^\n]+\n$/);
  expect(result.stderr).not.toContain('unexpected error');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result.stderr.slice('rightsize: '.length, -1);
}

/** An empty store, as a gateway leaves it before any request. */
async function emptyStore(name: string): Promise<string> {
  const path = join(folder, name);
  const store = await createSqliteStore(path);
  await store.close();
  return path;
}

describe('usage errors (commander): one line with a hint, exit 2', () => {
  it('prints the version of package.json', async () => {
    const result = await run(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('names an unknown option and a missing required one without printing the whole help', async () => {
    const unknown = await run(['select', '--task', 'varied', '--bogus']);
    expect(expectOneLineError(unknown)).toBe("unknown option '--bogus' (see rightsize select --help)");
    const missing = await run(['eval', '--data', 'x.csv']);
    expect(expectOneLineError(missing)).toBe(
      "required option '--specialist <name>' not specified (see rightsize eval --help)",
    );
    const nested = await run(['review', 'list', '--limit', 'x']);
    expect(expectOneLineError(nested)).toBe(
      `option '--limit <n>' argument 'x' is invalid. --limit must be a whole number of at least 1, got "x" (see rightsize review list --help)`,
    );
  });

  it('prints the errors calibrate raises in its action instead of exiting 1 in silence', async () => {
    const common = ['--data', 'x.csv', '--target-accuracy', '0.9'];
    expect(expectOneLineError(await run(['calibrate', ...common]))).toBe(
      'give exactly one of --specialist NAME or --route NAME (see rightsize calibrate --help)',
    );
    expect(expectOneLineError(await run(['calibrate', '--specialist', 'a', '--route', 'b', ...common]))).toBe(
      'give exactly one of --specialist NAME or --route NAME (see rightsize calibrate --help)',
    );
    expect(expectOneLineError(await run(['calibrate', '--specialist', 'a', '--split', 'validation', ...common]))).toBe(
      '--split goes with --route (see rightsize calibrate --help)',
    );
    expect(expectOneLineError(await run(['calibrate', '--route', 'nope', ...common]))).toBe(
      'route "nope" is not in the config (routes: support-triage): check --route or --config (see rightsize calibrate --help)',
    );
  });

  it('validates the numbers of analyze and promote before opening anything', async () => {
    const db = `sqlite:${await emptyStore('numbers.db')}`;
    expect(expectOneLineError(await run(['analyze', '--db', db, '--limit', '-1']))).toContain(
      '--limit must be a whole number of at least 1, got "-1"',
    );
    expect(expectOneLineError(await run(['analyze', '--db', db, '--target-accuracy', '5']))).toContain(
      '--target-accuracy must be a number between 0 and 1 (both excluded), got "5"',
    );
    const promote = ['promote', '--family', 'fam', '--specialist', 'tickets', '--db', db];
    expect(expectOneLineError(await run([...promote, '--threshold', 'abc', '--force']))).toBe(
      `option '--threshold <x>' argument 'abc' is invalid. --threshold must be a number from 0 to 1, got "abc" (see rightsize promote --help)`,
    );
    expect(expectOneLineError(await run([...promote, '--threshold', '7', '--force']))).toContain(
      '--threshold must be a number from 0 to 1, got "7"',
    );
    expect(expectOneLineError(await run([...promote, '--confidence', '1']))).toContain(
      '--confidence must be a number between 0 and 1 (both excluded), got "1"',
    );
    expect(expectOneLineError(await run([...promote, '--min-shadow-requests', '-3']))).toContain(
      '--min-shadow-requests must be a whole number of at least 1, got "-3"',
    );
    expect(expectOneLineError(await run([...promote, '--rollback', '--shadow']))).toContain(
      "option '--rollback' cannot be used with option '--shadow'",
    );
    const store = await createSqliteStore(db.slice('sqlite:'.length));
    expect(await store.listPromotions()).toEqual([]);
    await store.close();
  });

  it('refuses a bad specialist name before reading the data', async () => {
    const result = await run(['train', '--data', 'no-such-file.csv', '--name', 'BadName']);
    expect(expectOneLineError(result)).toContain('--name must be lowercase letters, digits and dashes');
    expect(result.stderr).toContain('got "BadName"');
  });

  it('refuses --review-wait over the gateway limit of 300 s before replaying', async () => {
    const result = await run([
      'replay',
      '--route',
      'r',
      '--data',
      'x.csv',
      '--text-column',
      'text',
      '--review-wait',
      '500',
    ]);
    expect(expectOneLineError(result)).toContain('--review-wait must be a whole number from 0 to 300, got "500"');
  });
});

describe('stores named by --db: read commands never create one', () => {
  it('says there is no store instead of listing an empty new one, and creates nothing', async () => {
    const missing = join(folder, 'typo', 'dir', 'x.db');
    const result = await run(['review', 'list', '--db', `sqlite:${missing}`]);
    expect(expectOneLineError(result)).toBe(`no store at ${missing}: start the gateway first or pass --db`);
    expect(existsSync(join(folder, 'typo'))).toBe(false);
    for (const command of [['review', 'show', 'rv_1'], ['analyze'], ['distill', '--family', 'f']]) {
      const other = await run([...command, '--db', `sqlite:${missing}`]);
      expect(expectOneLineError(other)).toBe(`no store at ${missing}: start the gateway first or pass --db`);
    }
    expect(existsSync(join(folder, 'typo'))).toBe(false);
  });

  it('does not hang on a path under /proc', async () => {
    const result = await run(['review', 'list', '--db', 'sqlite:/proc/nope/x.db'], 15_000);
    expect(expectOneLineError(result)).toBe('no store at /proc/nope/x.db: start the gateway first or pass --db');
  });

  it('names a file that is not a SQLite database', async () => {
    const path = join(folder, 'notes.db');
    writeFileSync(path, 'these are notes, not a database\n'.repeat(200));
    const result = await run(['analyze', '--no-cluster', '--db', `sqlite:${path}`]);
    expect(expectOneLineError(result)).toBe(
      `${path} is not a usable SQLite store (file is not a database): check --db or the config's store.url`,
    );
  });
});

describe('paths: one line naming the path and the fix, no stack trace', () => {
  let db: string;
  beforeAll(async () => {
    db = `sqlite:${await emptyStore('paths.db')}`;
  });

  it('analyze --html into a folder that does not exist', async () => {
    const result = await run(['analyze', '--no-cluster', '--db', db, '--html', '/nonexistent-dir/r.html']);
    expect(expectOneLineError(result)).toBe(
      '--html /nonexistent-dir/r.html: the folder /nonexistent-dir does not exist; create it or choose another path',
    );
  });

  it('analyze --distillations naming a file', async () => {
    const file = join(folder, 'records.txt');
    writeFileSync(file, 'x');
    const result = await run(['analyze', '--no-cluster', '--db', db, '--distillations', file]);
    expect(expectOneLineError(result)).toBe(`--distillations ${file} is a file, not a folder; pass a folder`);
  });

  it('train --registry under a file, before any training', async () => {
    writeFileSync(join(folder, 'train.csv'), 'text,label\nwhere is my card,card_arrival\nrefund me,refund\n');
    const result = await run(['train', '--data', 'train.csv', '--name', 'x', '--registry', '/dev/null/x']);
    expect(expectOneLineError(result)).toBe(
      '--registry /dev/null/x cannot be created: /dev/null is a file, not a folder; choose another --registry',
    );
  });

  describe('with a trained specialist', () => {
    beforeAll(async () => {
      const rows = banking77Sample({ split: 'train', labels: 3, perLabel: 30 });
      writeFileSync(
        join(folder, 'tickets.csv'),
        ['text,label', ...rows.map((row) => `"${row.text.replaceAll('"', '""')}",${row.label}`)].join('\n'),
      );
      const trained = await run([
        'train',
        '--data',
        'tickets.csv',
        '--name',
        'tickets',
        '--arch',
        'fasttext',
        '--registry',
        'registry',
        '--json',
      ]);
      expect(trained.code).toBe(0);
    });

    it('eval --plot into a folder that does not exist', async () => {
      const args = ['eval', '--specialist', 'tickets', '--data', 'tickets.csv', '--registry', 'registry'];
      const result = await run([...args, '--plot', '/nonexistent-dir/x.svg']);
      expect(expectOneLineError(result)).toBe(
        '--plot /nonexistent-dir/x.svg: the folder /nonexistent-dir does not exist; create it or choose another path',
      );
    });

    it('names a corrupt fastText model file instead of printing the number fastText throws', async () => {
      mkdirSync(join(folder, 'broken', 'tickets'), { recursive: true });
      const model = readFileSync(join(folder, 'registry', 'tickets', 'fasttext.bin'));
      writeFileSync(
        join(folder, 'broken', 'tickets', 'specialist.json'),
        readFileSync(join(folder, 'registry', 'tickets', 'specialist.json')),
      );
      const args = ['eval', '--specialist', 'tickets', '--data', 'tickets.csv', '--registry', 'broken'];
      const message =
        'the fastText model file broken/tickets/fasttext.bin is corrupt or unreadable: retrain the specialist (`rightsize train --force`)';
      // An unknown loss id in the header: the WASM core throws a bare number (a C++ exception pointer).
      const unknownLoss = Buffer.from(model);
      unknownLoss.writeInt32LE(99, 32);
      writeFileSync(join(folder, 'broken', 'tickets', 'fasttext.bin'), unknownLoss);
      expect(expectOneLineError(await run(args))).toBe(message);
      // A truncated copy: fastText would read it without complaint and predict from zeros.
      writeFileSync(join(folder, 'broken', 'tickets', 'fasttext.bin'), model.subarray(0, model.length - 1000));
      expect(expectOneLineError(await run(args))).toBe(message);
      writeFileSync(join(folder, 'broken', 'tickets', 'fasttext.bin'), model.subarray(0, 20));
      expect(expectOneLineError(await run(args))).toBe(message);
    });

    it('names a truncated encoder head or k-NN index of an ensemble', async () => {
      const directory = join(folder, 'broken-ensemble', 'tickets');
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'fasttext.bin'), readFileSync(join(folder, 'registry', 'tickets', 'fasttext.bin')));
      const metadata = JSON.parse(readFileSync(join(folder, 'registry', 'tickets', 'specialist.json'), 'utf8'));
      metadata.arch = 'ensemble';
      metadata.combiner = { components: ['fasttext', 'encoder', 'knn'], weights: [0.4, 0.4, 0.2], temperature: 1 };
      metadata.files = { ...metadata.files, encoder: 'encoder-head.bin', knn: 'knn-index.bin' };
      metadata.hyperParameters = { ...metadata.hyperParameters, knn: { k: 5, temperature: 0.05, rows: 4 } };
      writeFileSync(join(directory, 'specialist.json'), JSON.stringify(metadata));
      const head = new Uint8Array((512 * 2 + 512 * 3 + 3) * 4);
      const knn = new Uint8Array(8 + 4 * 512 * 4);
      const args = ['eval', '--specialist', 'tickets', '--data', 'tickets.csv', '--registry', 'broken-ensemble'];
      writeFileSync(join(directory, 'encoder-head.bin'), head.subarray(0, head.length - 6));
      writeFileSync(join(directory, 'knn-index.bin'), knn);
      expect(expectOneLineError(await run(args))).toBe(
        `the specialist file broken-ensemble/tickets/encoder-head.bin is corrupt or unreadable (encoder head holds ${head.length - 6} bytes, expected ${head.length}): retrain the specialist (\`rightsize train --force\`)`,
      );
      writeFileSync(join(directory, 'encoder-head.bin'), head);
      writeFileSync(join(directory, 'knn-index.bin'), knn.subarray(0, 100));
      expect(expectOneLineError(await run(args))).toMatch(
        /^the specialist file broken-ensemble\/tickets\/knn-index\.bin is corrupt or unreadable \(k-NN index holds 100 bytes, expected 8200 for 4 rows/,
      );
      // A label index beyond the specialist's three labels.
      const badLabel = new Uint8Array(knn);
      badLabel[0] = 7;
      writeFileSync(join(directory, 'knn-index.bin'), badLabel);
      expect(expectOneLineError(await run(args))).toMatch(/k-NN index names a label beyond the specialist's 3/);
    });
  });
});

describe('replay and demo check what they can before sending rows or starting a gateway', () => {
  let server: Server;
  let url: string;
  let chatRequests = 0;

  beforeAll(async () => {
    writeFileSync(join(folder, 'replay.csv'), 'text,category\nwhere is my card,card_arrival\nrefund me,refund\n');
    // A gateway that serves one route and counts the chat requests it is sent.
    server = createServer((request, response) => {
      if (request.url === '/healthz') return void response.end('{"status":"ok"}');
      if (request.url === '/v1/models') {
        response.setHeader('content-type', 'application/json');
        return void response.end(JSON.stringify({ object: 'list', data: [{ id: 'triage' }, { id: 'gpt-4o-mini' }] }));
      }
      chatRequests++;
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const replay = (...args: string[]) =>
    run([
      'replay',
      '--data',
      'replay.csv',
      '--text-column',
      'text',
      '--label-column',
      'category',
      '--url',
      url,
      ...args,
    ]);

  it('replay --route the gateway does not serve fails before the first row', async () => {
    const result = await replay('--route', 'nope');
    expect(expectOneLineError(result)).toBe(
      `The gateway at ${url} serves no route or model "nope" (it serves: triage, gpt-4o-mini); check --route (a model whose provider has no key is not served).`,
    );
    expect(chatRequests).toBe(0);
  });

  it('replay --baseline-model missing from the catalog fails before the first row', async () => {
    const result = await replay('--route', 'triage', '--baseline-model', 'nope');
    expect(expectOneLineError(result)).toBe(
      '--baseline-model nope: nope is not in the catalog; add it under models: with its prices',
    );
    expect(chatRequests).toBe(0);
  });

  it('demo checks the columns of its data file before starting the gateway', async () => {
    const result = await run(['demo', '--data', 'replay.csv', '--label-column', 'intent']);
    expect(expectOneLineError(result)).toBe(
      `${join(folder, 'replay.csv')} has no column "intent" (found: text, category); name the right one with --label-column.`,
    );
    expect(result.stderr).not.toContain('starting the gateway');
  });
});
