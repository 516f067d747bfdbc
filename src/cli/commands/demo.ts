import type { Command } from 'commander';
import { wholeNumber } from '../option-parsers.ts';

/** Options of `rightsize demo`. */
interface DemoOptions {
  limit?: number;
  route: string;
  data?: string;
  textColumn: string;
  labelColumn: string;
  concurrency: number;
  config?: string;
  port?: number;
  readyTimeoutMinutes: number;
  json?: boolean;
}

/**
 * `rightsize demo` (`npm run demo`): the support-triage scenario in one command. Starts the
 * gateway (which trains missing specialists, showing progress), replays Banking77's test set
 * through `support-triage`, prints the per-tier table, and stops the gateway cleanly, also on Ctrl-C.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Start the gateway, train what is missing, replay Banking77 test through support-triage, print the table, stop',
    )
    .option('--limit <n>', 'replay only the first N rows', wholeNumber('--limit', 1))
    .option('--route <name>', 'route to replay through', 'support-triage')
    .option('--data <file>', 'CSV or JSONL to replay (default: ../shared/data/banking77/test.csv)')
    .option('--text-column <name>', 'column holding the message text', 'text')
    .option('--label-column <name>', 'column holding the gold label', 'category')
    .option('--concurrency <n>', 'requests in flight at once', wholeNumber('--concurrency', 1), 8)
    .option(
      '--config <file>',
      'config for the gateway (default: ./rightsize.yaml if present, else the embedded default)',
    )
    .option('--port <port>', 'port for the gateway (default: a free one)', wholeNumber('--port', 1, 65535))
    .option(
      '--ready-timeout-minutes <n>',
      'longest wait for the gateway and its specialists',
      wholeNumber('--ready-timeout-minutes', 1),
      10,
    )
    .option('--json', 'print the summary as JSON')
    .action(async (options: DemoOptions) => {
      const [{ runDemo }, { renderReplayTable }] = await Promise.all([
        import('../../replay/run-demo.ts'),
        import('../../replay/render-replay-table.ts'),
      ]);
      const controller = new AbortController();
      const interrupt = () => {
        if (controller.signal.aborted) return;
        process.stderr.write('\ndemo: interrupted; stopping the gateway...\n');
        controller.abort();
      };
      process.on('SIGINT', interrupt);
      process.on('SIGTERM', interrupt);
      try {
        const summary = await runDemo({
          route: options.route,
          data: options.data,
          textColumn: options.textColumn,
          labelColumn: options.labelColumn,
          limit: options.limit,
          concurrency: options.concurrency,
          config: options.config,
          port: options.port,
          readyTimeoutMs: options.readyTimeoutMinutes * 60_000,
          signal: controller.signal,
        });
        if (controller.signal.aborted) {
          process.exitCode = 130;
          return;
        }
        process.stdout.write(
          options.json ? `${JSON.stringify(summary, null, 2)}\n` : `\n${renderReplayTable(summary)}\n`,
        );
      } catch (error) {
        // Ctrl-C while waiting: the gateway is already stopped; say nothing more.
        if (controller.signal.aborted) {
          process.exitCode = 130;
          return;
        }
        throw error;
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}
