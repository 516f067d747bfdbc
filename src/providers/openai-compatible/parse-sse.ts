/**
 * An incremental parser for server-sent events (the WHATWG HTML "event stream" format), fed raw
 * bytes. It survives events, lines and multi-byte UTF-8 characters split across chunks: bytes
 * are decoded with a streaming `TextDecoder`, and text is held until a blank line ends an event.
 * Source: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export interface SseMessage {
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  #buffer = '';
  #event = '';
  #data: string[] = [];

  /** Feeds bytes; returns the events they complete, in order. */
  push(chunk: Uint8Array): SseMessage[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    return this.#drain();
  }

  /**
   * Ends the input. Returns a last event only if it was complete except for its final blank line;
   * `pending` is true when bytes of an unfinished line remain (a cut stream).
   */
  end(): { messages: SseMessage[]; pending: boolean } {
    this.#buffer += this.#decoder.decode();
    const messages = this.#drain();
    const pending = this.#buffer.length > 0 || this.#data.length > 0;
    return { messages, pending };
  }

  #drain(): SseMessage[] {
    const messages: SseMessage[] = [];
    let start = 0;
    for (;;) {
      const newline = this.#buffer.indexOf('\n', start);
      if (newline === -1) break;
      let line = this.#buffer.slice(start, newline);
      start = newline + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.#data.length > 0) messages.push({ event: this.#event || 'message', data: this.#data.join('\n') });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#event = value;
    }
    this.#buffer = this.#buffer.slice(start);
    return messages;
  }
}
