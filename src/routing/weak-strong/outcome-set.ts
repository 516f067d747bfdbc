/**
 * A labelled outcome set for weak-to-strong routing: for each prompt, what the weak and the strong
 * model scored (and, when recorded, what they answered). Every loader of this folder returns one.
 */

/** One prompt with both models' recorded outcomes. */
export interface OutcomeItem {
  /** Stable id inside the set (row index or question id). Cross-validation splits on the prompt. */
  id: string;
  /** The prompt the router sees (MT-Bench: the first turn, as RouteLLM routes on it). */
  prompt: string;
  /** The weak model's answer, when recorded (GSM8K, MT-Bench first turn); absent for MMLU. */
  weakAnswer?: string;
  /** The strong model's answer, when recorded. */
  strongAnswer?: string;
  /**
   * The weak model's quality on this prompt: 1 or 0 for correct / wrong (GSM8K, MMLU), or the mean
   * judge score over the question's turns (MT-Bench, 1-10).
   */
  weakQuality: number;
  /** The strong model's quality, in the same unit as `weakQuality`. */
  strongQuality: number;
  /** A category when the data has one (MMLU subject, MT-Bench category). Never a router input. */
  category?: string;
  /**
   * The conversation's next turn, when recorded (MT-Bench's second turn): it goes to the model the
   * first turn was routed to. Read for cost only.
   */
  followUp?: { prompt: string; weakAnswer?: string; strongAnswer?: string };
}

/** A whole outcome set, decontaminated as its source prescribes. */
export interface OutcomeSet {
  /** Short name, e.g. `gsm8k`. */
  name: string;
  /** `accuracy`: qualities are 0/1; `judge`: qualities are judge scores. */
  qualityKind: 'accuracy' | 'judge';
  /** The weak model's name as the source spells it. */
  weakModel: string;
  /** The strong model's name as the source spells it. */
  strongModel: string;
  items: OutcomeItem[];
}

/** Mean weak and strong quality of a set (accuracy in [0, 1] or mean judge score). */
export function modelQualities(set: Pick<OutcomeSet, 'items'>): { weak: number; strong: number } {
  let weak = 0;
  let strong = 0;
  for (const item of set.items) {
    weak += item.weakQuality;
    strong += item.strongQuality;
  }
  const count = Math.max(1, set.items.length);
  return { weak: weak / count, strong: strong / count };
}

/** Whitespace-normalised text: runs of whitespace become one space, ends trimmed. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
