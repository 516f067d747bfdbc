/**
 * Micro-benchmark of `planAutoRequest` (routing for `model: "auto"`): p50/p99 in microseconds over a
 * few thousand requests of each shape, after a warm-up. A table, not a test.
 * Run: `npx tsx src/bench/selection/plan-bench.ts [--json]`.
 */
import Table from 'cli-table3';
import { createCatalog } from '../../catalog/create-catalog.ts';
import type { ChatCompletionRequest } from '../../providers/chat-completion.ts';
import { type ConfiguredProvider, planAutoRequest } from '../../routing/auto/plan-auto-request.ts';
import type { RequestHeaders } from '../../routing/auto/read-requirement-headers.ts';

const catalog = createCatalog();
const providers = new Map<string, ConfiguredProvider>([
  ['openai', { deployment: 'cloud' }],
  ['anthropic', { deployment: 'cloud' }],
  ['google', { deployment: 'cloud' }],
  ['local', { deployment: 'on-prem' }],
  ['specialist', { deployment: 'edge' }],
]);

const QUESTIONS = [
  'How do I reset my card PIN?',
  'Summarise this meeting transcript in three bullet points and list the owners of each action.',
  'Write a polite reply to a customer whose parcel arrived late, offering a 10% voucher.',
  'Explain the difference between a mutex and a semaphore with a short example in TypeScript.',
];

function text(index: number, repeat: number): string {
  return `${QUESTIONS[index % QUESTIONS.length]} (#${index}) `.repeat(repeat);
}

interface Shape {
  name: string;
  make: (index: number) => { request: ChatCompletionRequest; headers: RequestHeaders };
}

const SHAPES: Shape[] = [
  {
    name: 'short text, no headers',
    make: (index) => ({
      request: { model: 'auto', messages: [{ role: 'user', content: text(index, 1) }] },
      headers: {},
    }),
  },
  {
    name: 'system + user, 3 requirement headers',
    make: (index) => ({
      request: {
        model: 'auto',
        messages: [
          { role: 'system', content: 'You are a helpful support agent for a bank.' },
          { role: 'user', content: text(index, 3) },
        ],
        max_tokens: 200,
      },
      headers: {
        'x-rightsize-max-latency-ms': '2000',
        'x-rightsize-max-cost-usd': '0.01',
        'x-rightsize-task': 'varied',
      },
    }),
  },
  {
    name: 'image part',
    make: (index) => ({
      request: {
        model: 'auto',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: text(index, 1) },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            ],
          },
        ],
      },
      headers: {},
    }),
  },
  {
    name: 'tools',
    make: (index) => ({
      request: {
        model: 'auto',
        messages: [{ role: 'user', content: text(index, 1) }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      },
      headers: {},
    }),
  },
  {
    name: 'hybrid, sensitive-data scan (2 KB)',
    make: (index) => ({
      request: {
        model: 'auto',
        messages: [
          { role: 'user', content: `${text(index, 20)} Reach me at jane.doe@example.com or +44 20 7946 0958.` },
        ],
      },
      headers: { 'x-rightsize-deployment': 'hybrid' },
    }),
  },
  {
    name: 'repeated 40 KB system prompt + question',
    make: (index) => ({
      request: {
        model: 'auto',
        messages: [
          { role: 'system', content: text(0, 400) },
          { role: 'user', content: text(index, 1) },
        ],
      },
      headers: {},
    }),
  },
  {
    name: 'unique 40 KB prompt (exact count)',
    make: (index) => ({
      request: { model: 'auto', messages: [{ role: 'user', content: text(index, 400) }] },
      headers: {},
    }),
  },
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const COUNT = 4_000;
const rows: Array<{ shape: string; requests: number; p50Us: number; p99Us: number; firstCandidate: string }> = [];
for (const shape of SHAPES) {
  const inputs = Array.from({ length: COUNT }, (_, index) => shape.make(index));
  // Warm-up: JIT, the per-catalog index, the tokenizer's caches.
  for (const input of inputs.slice(0, 500)) planAutoRequest({ ...input, catalog, configuredProviders: providers });
  const times: number[] = [];
  let first = '';
  for (const input of inputs) {
    const started = process.hrtime.bigint();
    const plan = planAutoRequest({ ...input, catalog, configuredProviders: providers });
    times.push(Number(process.hrtime.bigint() - started) / 1000);
    first = plan.candidates[0]?.id ?? '';
  }
  times.sort((a, b) => a - b);
  rows.push({
    shape: shape.name,
    requests: COUNT,
    p50Us: Number(percentile(times, 50).toFixed(1)),
    p99Us: Number(percentile(times, 99).toFixed(1)),
    firstCandidate: first,
  });
}

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const table = new Table({
    head: ['request shape', 'requests', 'p50 us', 'p99 us', 'first candidate'],
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push([row.shape, row.requests, row.p50Us, row.p99Us, row.firstCandidate]);
  process.stdout.write(
    `planAutoRequest over the built-in catalog (${catalog.list().length} models), providers: ${[...providers.keys()].join(', ')}\n${table.toString()}\n`,
  );
}
