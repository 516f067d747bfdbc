import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ReviewQueue } from '../../review/review-queue.ts';
import { reviewerNameProblem } from '../../review/reviewer-name.ts';
import type { ReviewItem } from '../../store/store.ts';
import { openExistingStore } from '../cli-files.ts';
import { wholeNumber } from '../option-parsers.ts';

/** Options every `rightsize review` subcommand takes: where the store is. */
interface StoreOptions {
  config?: string;
  db?: string;
  json?: boolean;
}

interface ListOptions extends StoreOptions {
  status?: 'pending' | 'claimed' | 'resolved';
  route?: string;
  limit?: number;
}

interface ClaimOptions extends StoreOptions {
  reviewer: string;
}

interface ResolveOptions extends ClaimOptions {
  decision: string;
}

/**
 * `rightsize review list|show|claim|resolve`: the human review queue, straight on the store the
 * gateway uses (`store.url` of the config, or `--db`). Items are durable there, and a gateway whose
 * client waits for a decision polls the store, so a resolution made here reaches it.
 * Errors (unknown id, an item someone else holds) print one line and exit non-zero.
 */
export function registerReviewCommand(program: Command): void {
  const review = program
    .command('review')
    .description('The human review queue: list, show, claim and resolve escalated requests');

  withStore(review.command('list').description('List review items, oldest first'))
    .addOption(new Option('--status <status>', 'only items in this state').choices(['pending', 'claimed', 'resolved']))
    .option('--route <name>', 'only items of this route')
    .option('--limit <n>', 'at most N items', wholeNumber('--limit', 1))
    .action(async (options: ListOptions) => {
      await withQueue(options, async (queue) => {
        const items = await queue.list({ status: options.status, route: options.route, limit: options.limit });
        if (options.json) return print(JSON.stringify(items, null, 2));
        print(await renderList(items));
      });
    });

  withStore(review.command('show').description('Show one review item: input, labels, earlier answers, decision'))
    .argument('<id>', 'review item id (rv_...)')
    .action(async (id: string, options: StoreOptions) => {
      await withQueue(options, async (queue) => {
        const item = await getItem(queue, id);
        if (options.json) return print(JSON.stringify(item, null, 2));
        print(await renderItem(item));
      });
    });

  // Claim and release: one reviewer takes an item, or gives it back.
  for (const [name, description, who, act] of [
    [
      'claim',
      'Claim a pending item, so that no other reviewer takes it',
      'who claims it',
      async (queue: ReviewQueue, id: string, reviewer: string) =>
        `Claimed ${(await queue.claim(id, reviewer)).id} for ${reviewer}.`,
    ],
    [
      'release',
      'Give back an item you claimed, for another reviewer to take',
      'who claimed it',
      async (queue: ReviewQueue, id: string, reviewer: string) =>
        `Released ${(await queue.release(id, reviewer)).id}: pending again.`,
    ],
  ] as const) {
    withStore(review.command(name).description(description))
      .argument('<id>', 'review item id (rv_...)')
      .requiredOption('--reviewer <name>', who, reviewerOption)
      .action(async (id: string, options: ClaimOptions) => {
        await withQueue(options, async (queue) => {
          await getItem(queue, id);
          const line = await act(queue, id, options.reviewer);
          print(options.json ? JSON.stringify(await queue.get(id), null, 2) : line);
        });
      });
  }

  withStore(review.command('resolve').description('Record the decision (on classification routes, one of the labels)'))
    .argument('<id>', 'review item id (rv_...)')
    .requiredOption('--decision <label>', 'the gold label, or the answer')
    .requiredOption('--reviewer <name>', 'who decides', reviewerOption)
    .action(async (id: string, options: ResolveOptions) => {
      await withQueue(options, async (queue) => {
        const { matchDecision } = await import('../../review/match-decision.ts');
        const current = await getItem(queue, id);
        // Items queued while the route's labels were unknown (its specialist still training) are
        // checked against the labels the config gives the route now, as the gateway does.
        const labels = current.labels ?? (await routeLabels(options, current.route));
        const decision = labels
          ? matchDecision(options.decision, labels, {
              route: current.route,
              subject: '--decision',
              hint: `see them with \`rightsize review show ${id}\``,
            })
          : options.decision;
        const item = await queue.resolve(id, {
          reviewer: options.reviewer,
          decision,
          // As over HTTP: an item queued before its route's labels were known keeps the set its decision was checked against.
          ...(current.labels === null && labels ? { labels } : {}),
        });
        print(
          options.json ? JSON.stringify(item, null, 2) : `Resolved ${item.id} as ${decision} (by ${options.reviewer}).`,
        );
      });
    });
}

/**
 * A route's labels from the config: its `labels`, or its `labelsFrom` specialist's from the
 * registry; null when the route is unknown, has neither, or the specialist is not trained yet.
 */
async function routeLabels(options: StoreOptions, route: string): Promise<string[] | null> {
  const [{ loadConfig }, { readSpecialistMetadata }, { resolve }] = await Promise.all([
    import('../../config/load-config.ts'),
    import('../../specialists/registry/load-specialist.ts'),
    import('node:path'),
  ]);
  const { config } = loadConfig({ path: options.config });
  const entry = config.routes[route];
  if (!entry) return null;
  if (entry.labels) return [...entry.labels];
  if (!entry.labelsFrom) return null;
  try {
    return readSpecialistMetadata(resolve(config.specialists.registry), entry.labelsFrom).labels;
  } catch {
    return null;
  }
}

function withStore(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'config whose store.url to use (default: ./rightsize.yaml if present, else the embedded default)',
    )
    .option('--db <url>', 'store URL instead of the config’s, e.g. sqlite:.rightsize/rightsize.db')
    .option('--json', 'print JSON');
}

/**
 * Opens the store, runs `work` over its review queue, and closes the store. The store must exist:
 * review items are written there by a gateway.
 */
async function withQueue(options: StoreOptions, work: (queue: ReviewQueue) => Promise<void>): Promise<void> {
  const [{ loadConfig }, { ReviewQueue }] = await Promise.all([
    import('../../config/load-config.ts'),
    import('../../review/review-queue.ts'),
  ]);
  const { config } = loadConfig({ path: options.config });
  const store = await openExistingStore(options.db ?? config.store.url);
  try {
    // Claims lapse as the gateway's do: after the config's human.claimTimeoutSeconds.
    await work(new ReviewQueue(store, { claimTimeoutMs: config.human.claimTimeoutSeconds * 1000 }));
  } finally {
    await store.close();
  }
}

/** @throws RightsizeError `not_found` saying how to find the ids. */
async function getItem(queue: ReviewQueue, id: string): Promise<ReviewItem> {
  const item = await queue.get(id);
  if (item) return item;
  const { RightsizeError } = await import('../../errors/rightsize-error.ts');
  throw new RightsizeError(
    'not_found',
    `No review item ${id} in this store; list them with \`rightsize review list --status pending\` (same --config or --db as the gateway).`,
  );
}

/** One line an item: id, route, status, age, input, and the best earlier answer. */
async function renderList(items: readonly ReviewItem[]): Promise<string> {
  if (items.length === 0) return 'No review items match.';
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    style: { head: [], border: [], compact: true },
    head: ['id', 'route', 'status', 'created', 'input', 'earlier answer', 'by'],
  });
  for (const item of items) {
    table.push([
      item.id,
      item.route,
      item.status,
      new Date(item.createdAt).toISOString().slice(0, 19).replace('T', ' '),
      shorten(item.input, 50),
      shorten(bestCandidate(item), 40),
      item.resolvedBy ?? item.claimedBy ?? '',
    ]);
  }
  return `${table.toString()}\n${items.length} item${items.length === 1 ? '' : 's'}.`;
}

async function renderItem(item: ReviewItem): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const time = (epochMs: number | null) => (epochMs === null ? '' : new Date(epochMs).toISOString());
  const lines = [
    `${item.id}  route ${item.route}  ${item.status}  created ${time(item.createdAt)}  request ${item.requestId}`,
    `Input: ${item.input}`,
  ];
  if (item.labels) lines.push(`Labels (${item.labels.length}): ${item.labels.join(', ')}`);
  if (item.candidates.length > 0) {
    const table = new Table({
      style: { head: [], border: [], compact: true },
      head: ['earlier tier', 'answer', 'confidence', 'why it escalated'],
    });
    for (const candidate of item.candidates)
      table.push([
        candidate.model,
        shorten(candidate.answer ?? '', 60),
        candidate.confidence === null ? '' : candidate.confidence.toFixed(3),
        candidate.reason ?? '',
      ]);
    lines.push(table.toString());
  }
  if (item.claimedBy) lines.push(`Claimed by ${item.claimedBy} at ${time(item.claimedAt)}`);
  if (item.status === 'resolved')
    lines.push(`Decision: ${item.decision} (by ${item.resolvedBy} at ${time(item.resolvedAt)})`);
  return lines.join('\n');
}

function bestCandidate(item: ReviewItem): string {
  const answered = item.candidates.filter((candidate) => candidate.answer !== null);
  const best = answered.reduce<ReviewItem['candidates'][number] | undefined>(
    (top, candidate) => (top === undefined || (candidate.confidence ?? 0) > (top.confidence ?? 0) ? candidate : top),
    undefined,
  );
  if (!best) return '';
  return `${best.answer}${best.confidence === null ? '' : ` (${best.confidence.toFixed(2)})`}`;
}

function shorten(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Commander parser of `--reviewer`: the same rule as over HTTP ({@link reviewerNameProblem}). */
function reviewerOption(name: string): string {
  const problem = reviewerNameProblem(name);
  if (problem) throw new InvalidArgumentError(`--reviewer: ${problem}, got ${JSON.stringify(name.slice(0, 40))}`);
  return name;
}
