import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from './read-body.ts';

/** `/small`: 10 bytes; `/big`: 100 KB in 1 KB writes; `/declared`: a content-length of 1 MB; `/trickle`: a byte every 20 ms. */
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/small') return void response.end('0123456789');
    if (request.url === '/declared') {
      response.writeHead(200, { 'content-length': String(1_000_000) });
      return void response.write('x');
    }
    if (request.url === '/trickle') {
      const timer = setInterval(() => response.write('x'), 20);
      return void response.on('close', () => clearInterval(timer));
    }
    for (let index = 0; index < 100; index++) response.write('y'.repeat(1_000));
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('readBody', () => {
  it('reads a whole body within the limit', async () => {
    const read = await readBody(await request(`${url}/small`), 10);
    expect([read.bytes.toString(), read.stopped]).toEqual(['0123456789', undefined]);
  });

  it('stops at the limit, keeping the first bytes, and at a declared length over it without reading', async () => {
    const big = await readBody(await request(`${url}/big`), 4_096);
    expect([big.bytes.length, big.stopped]).toEqual([4_096, 'over']);
    const declared = await readBody(await request(`${url}/declared`), 4_096);
    expect([declared.bytes.length, declared.stopped]).toEqual([0, 'over']);
  });

  it('stops a body still arriving at the deadline', async () => {
    // The body never ends: without the deadline this would not return at all.
    const read = await readBody(await request(`${url}/trickle`), 1_000_000, performance.now() + 100);
    expect(read.stopped).toBe('late');
    expect(read.bytes.length).toBeGreaterThan(0);
  });
});
