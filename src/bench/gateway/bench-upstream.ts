/**
 * Child process of `rightsize bench gateway`: the fast OpenAI-protocol upstream, in its own process
 * so that it never shares an event loop with the gateway or the load generator. Listens on
 * 127.0.0.1 (port from argv[2], default any free one), prints `upstream listening on <url>`, and
 * exits on SIGTERM or when its parent closes stdin.
 *
 * Run as `node --import tsx src/bench/gateway/bench-upstream.ts [port]`.
 */
import { startOpenAIProtocolServer } from '../../testing/openai-protocol-server.ts';

const server = await startOpenAIProtocolServer({ record: false, port: Number(process.argv[2] ?? 0) });
process.stdout.write(`upstream listening on ${server.url}\n`);

const stop = () => {
  void server.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds our stdin: when it dies, stdin ends, and so do we.
process.stdin.on('end', stop);
process.stdin.resume();
