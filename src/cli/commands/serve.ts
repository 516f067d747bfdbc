import { type Command, InvalidArgumentError } from 'commander';

/** Options of `rightsize serve`. */
export interface ServeOptions {
  config?: string;
  host?: string;
  port?: number;
  db?: string;
}

/** `rightsize serve`: the gateway. SIGTERM and SIGINT stop it cleanly, flushing the request log. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway (OpenAI-compatible HTTP API on 127.0.0.1:8080 by default)')
    .option('--config <file>', 'config file (default: ./rightsize.yaml if present, else the embedded default)')
    .option('--host <host>', 'address to listen on (non-loopback needs server.apiKeys)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort)
    .option('--db <url>', 'store URL, e.g. sqlite:.rightsize/rightsize.db')
    .action(async (options: ServeOptions) => {
      const { serve } = await import('../serve-gateway.ts');
      await serve(options);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}
