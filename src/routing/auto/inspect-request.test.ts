import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../providers/chat-completion.ts';
import { IMAGE_TOKENS, inspectRequest } from './inspect-request.ts';

const request = (
  content: ChatCompletionRequest['messages'][number]['content'],
  extra: object = {},
): ChatCompletionRequest => ({
  model: 'auto',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('inspectRequest', () => {
  it('finds image and audio parts', () => {
    const inspection = inspectRequest(
      request([
        { type: 'text', text: 'Transcribe and describe.' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
      ]),
    );
    expect(inspection.modalities).toEqual(['text', 'image', 'audio']);
    expect(inspection.imageParts).toBe(1);
    expect(inspection.audioParts).toBe(1);
  });

  it('counts tokens with o200k plus the chat overhead and image tokens', () => {
    // "hello world" is 2 tokens in o200k_base; 3 per message + 3 for the reply.
    expect(inspectRequest(request('hello world')).inputTokens).toBe(2 + 3 + 3);
    const withImage = inspectRequest(
      request([
        { type: 'text', text: 'hello world' },
        { type: 'image_url', image_url: { url: 'x' } },
      ]),
    );
    expect(withImage.inputTokens).toBe(2 + 3 + 3 + IMAGE_TOKENS);
    expect(withImage.tokenCount).toBe('exact');
  });

  it('uses the chars/4 estimate when the byte bound already fits', () => {
    const inspection = inspectRequest(request('a'.repeat(400)), { exactAbove: 1000 });
    expect(inspection.tokenCount).toBe('estimate');
    expect(inspection.inputTokens).toBe(100 + 6);
    expect(inspection.inputTokensUpperBound).toBe(400 + 6);
  });

  it('stops counting past the limit', () => {
    const inspection = inspectRequest(request('word '.repeat(5000)), { tokenLimit: 1000 });
    expect(inspection.tokenCount).toBe('over-limit');
    expect(inspection.inputTokens).toBe(1001);
  });

  it('bounds non-ASCII text by its UTF-8 bytes', () => {
    const inspection = inspectRequest(request('日本語'.repeat(10)));
    expect(inspection.inputTokensUpperBound).toBe(90 + 6);
    expect(inspection.inputTokens).toBeLessThanOrEqual(inspection.inputTokensUpperBound);
  });

  it('sees tools, output limits and sensitive data (kinds only)', () => {
    const inspection = inspectRequest(
      request('Refund card 4111 1111 1111 1111 please', {
        tools: [{ type: 'function', function: { name: 'refund' } }],
        max_completion_tokens: 50,
      }),
    );
    expect(inspection.toolsRequested).toBe(true);
    expect(inspection.maxOutputTokens).toBe(50);
    expect(inspection.sensitiveData).toEqual(['card']);
    expect(JSON.stringify(inspection)).not.toContain('4111');
    expect(inspectRequest(request('a@b.io'), { detectSensitiveData: false }).sensitiveData).toEqual([]);
  });
});
