import type { ChatCompletionRequest } from '../providers/chat-completion.ts';

/**
 * The request a large model gets on a classification route: the client's messages after a system
 * message that lists the labels, and, where the model supports it, a JSON-schema response format
 * whose `label` is an enum of them (OpenAI "Structured Outputs"). The answer is parsed and checked
 * against the labels either way.
 */
export function classificationRequest(
  request: ChatCompletionRequest,
  labels: readonly string[],
  jsonSchema: boolean,
): ChatCompletionRequest {
  const instruction = `Classify the user's message into exactly one of these labels: ${labels.join(', ')}. ${
    jsonSchema ? 'Answer with JSON {"label": "<label>"}.' : 'Answer with the label only, nothing else.'
  }`;
  const classified: ChatCompletionRequest = {
    ...request,
    messages: [{ role: 'system', content: instruction }, ...request.messages],
    stream: false,
  };
  if (jsonSchema) {
    classified.response_format = {
      type: 'json_schema',
      json_schema: {
        name: 'classification',
        strict: true,
        schema: {
          type: 'object',
          properties: { label: { type: 'string', enum: [...labels] } },
          required: ['label'],
          additionalProperties: false,
        },
      },
    };
  }
  return classified;
}
