import { expect } from 'vitest';

/**
 * Test helper: posts a chat completion for `model` with one user message to the gateway at
 * `gatewayUrl`, and goes away (aborts the connection) once `leaveWhen` resolves. Resolves once the
 * client has gone; fails the test if the request was answered before it left.
 */
export async function sendAndLeave(options: {
  gatewayUrl: string;
  model: string;
  text: string;
  headers?: Record<string, string>;
  leaveWhen: () => Promise<void>;
}): Promise<void> {
  const controller = new AbortController();
  const sent = fetch(`${options.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ model: options.model, messages: [{ role: 'user', content: options.text }] }),
    signal: controller.signal,
  });
  await options.leaveWhen();
  controller.abort();
  await expect(sent).rejects.toThrow();
}
