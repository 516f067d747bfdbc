/**
 * Child process of `rightsize bench gateway --floor`: the least a Node.js gateway can do, to show
 * what is left for any gateway on the machine. `node:http` in, undici `Pool` out (as Rightsize),
 * the body forwarded and the answer's bytes returned with no parsing, routing, logging or metrics.
 * Listens on 127.0.0.1 and prints `floor listening on <url>`; argv[2] is the upstream's origin.
 *
 * Run as `node --import tsx src/bench/gateway/floor-proxy.ts http://127.0.0.1:<port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: floor-proxy.ts <upstream origin>');
const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    pool
      .request({
        path: request.url ?? '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        response.writeHead(answer.statusCode, {
          'content-type': String(answer.headers['content-type'] ?? 'application/json'),
          'content-length': body.length,
        });
        response.end(body);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => void pool.close().finally(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds our stdin: when it dies, stdin ends, and so do we.
process.stdin.on('end', stop);
process.stdin.resume();
