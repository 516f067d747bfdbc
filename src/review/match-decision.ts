import { RightsizeError } from '../errors/rightsize-error.ts';
import { matchLabel } from '../routing/accept-answer.ts';

/** Labels named in the refusal, at most; the rest are counted. */
const LISTED = 20;

/**
 * The canonical label a reviewer's decision names on a classification route, matched the way the
 * gateway matches an LLM's answer (`matchLabel`): surrounding spaces and quotes and a final full
 * stop dropped, case ignored, spaces and hyphens read as underscores, and a JSON `{"label": ...}`
 * read for its label. So `"Card Arrival"` and `" card_arrival"` both give `card_arrival`. The CLI
 * (`rightsize review resolve`) and the HTTP API (`POST /v1/rightsize/review/{id}/resolve`) both
 * use it, so they accept the same decisions and store the same label.
 * @param context `route`: the item's route; `subject`: how the decision is named in the error
 *   (`decision`, `--decision`); `hint`: where to see the labels, ending the error.
 * @returns one of `labels`, exactly as spelled there.
 * @throws RightsizeError `invalid_request` (param `decision`) when the decision names none of
 *   `labels`; the message quotes it (80 characters at most) and lists the first 20 labels.
 */
export function matchDecision(
  decision: string,
  labels: readonly string[],
  context: { route: string; subject: string; hint: string },
): string {
  const label = matchLabel(decision, labels);
  if (label !== undefined) return label;
  const listed = labels.slice(0, LISTED).join(', ');
  const more = labels.length > LISTED ? `, and ${labels.length - LISTED} more` : '';
  throw new RightsizeError(
    'invalid_request',
    `${context.subject} "${decision.slice(0, 80)}" is not one of the ${labels.length} labels of route ${context.route} ` +
      `(${listed}${more}); ${context.hint}.`,
    { param: 'decision' },
  );
}
