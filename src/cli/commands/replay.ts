import type { Command } from 'commander';
import { wholeNumber } from '../option-parsers.ts';

/** Options of `rightsize replay`. */
export interface ReplayCommandOptions {
  route: string;
  data: string;
  textColumn: string;
  labelColumn?: string;
  url: string;
  apiKeyEnv?: string;
  concurrency: number;
  limit?: number;
  config?: string;
  baselineModel?: string;
  reviewWait?: number;
  json?: boolean;
}

/**
 * `rightsize replay`: sends a CSV or JSONL file through a running gateway's route and prints the
 * scenario table (per tier: share settled, accuracy, cost per request, p50 latency; the totals; the
 * all-LLM baseline and the saving), or the summary as JSON with `--json`.
 */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('Replay a labelled file through a running gateway route and print the per-tier scenario table')
    .requiredOption('--route <name>', 'route (or model) to send every row to')
    .requiredOption('--data <file>', 'CSV with a header row, or JSONL')
    .requiredOption('--text-column <name>', 'column holding the message text')
    .option('--label-column <name>', 'column holding the gold label (measures accuracy)')
    .option('--url <url>', 'the running gateway', 'http://127.0.0.1:8080')
    .option('--api-key-env <name>', 'environment variable holding a client key of the gateway')
    .option('--concurrency <n>', 'requests in flight at once', wholeNumber('--concurrency', 1), 8)
    .option('--limit <n>', 'replay only the first N rows', wholeNumber('--limit', 1))
    .option(
      '--config <file>',
      'config holding the route and catalog, to price the all-LLM baseline (default: ./rightsize.yaml if present, else the embedded default)',
    )
    .option('--baseline-model <id>', "catalog model to price the baseline with (default: the route's first llm tier)")
    .option(
      '--review-wait <seconds>',
      'let each request escalated to a person wait up to this long for the decision, 0-300 (x-rightsize-review-wait-seconds)',
      wholeNumber('--review-wait', 0, 300),
    )
    .option('--json', 'print the summary as JSON')
    .action(async (options: ReplayCommandOptions) => {
      const [{ loadConfig }, { readEnvironment }, { replayRoute }, { renderReplayTable }, { RightsizeError }] =
        await Promise.all([
          import('../../config/load-config.ts'),
          import('../../config/environment.ts'),
          import('../../replay/replay-route.ts'),
          import('../../replay/render-replay-table.ts'),
          import('../../errors/rightsize-error.ts'),
        ]);
      const { config } = loadConfig({ path: options.config });
      let apiKey: string | undefined;
      if (options.apiKeyEnv !== undefined) {
        apiKey = readEnvironment().get(options.apiKeyEnv);
        if (apiKey === undefined)
          throw new RightsizeError(
            'invalid_config',
            `--api-key-env names ${options.apiKeyEnv}, which is not set; export it first.`,
          );
      }
      const summary = await replayRoute({
        url: options.url,
        apiKey,
        route: options.route,
        data: options.data,
        textColumn: options.textColumn,
        labelColumn: options.labelColumn,
        concurrency: options.concurrency,
        limit: options.limit,
        config,
        baselineModel: options.baselineModel,
        reviewWaitSeconds: options.reviewWait,
      });
      process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderReplayTable(summary)}\n`);
      // Every request failing is a failed replay; some errors are a result, shown in the table.
      if (summary.requests > 0 && summary.errors.requests === summary.requests) process.exitCode = 1;
    });
}
