import { RightsizeError } from '../../errors/rightsize-error.ts';
import { type DeploymentTarget, deploymentTargetSchema } from '../../selection/selection.ts';
import type { AutoRequirements } from '../../selection/selection-config.ts';

/** Request headers as Node and Fastify give them (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

const TASK_KEYWORDS = new Set(['repetitive', 'varied', 'domain-specific', 'high-stakes']);
const FAMILY = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

function single(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    throw new RightsizeError('invalid_request', `Send the ${name} header once (it came ${value.length} times).`, {
      param: name,
    });
  }
  const trimmed = value.trim();
  if (trimmed === '')
    throw new RightsizeError('invalid_request', `The ${name} header is empty; remove it or give a value.`, {
      param: name,
    });
  return trimmed;
}

function readNumber(
  headers: RequestHeaders,
  name: string,
  check: (value: number) => boolean,
  expected: string,
): number | undefined {
  const text = single(headers, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || !check(value)) {
    // The value is echoed only as a length: a header may hold anything.
    throw new RightsizeError('invalid_request', `The ${name} header must be ${expected}.`, { param: name });
  }
  return value;
}

/**
 * Reads the requirements a client sets per request:
 * - `x-rightsize-max-latency-ms`: latency budget, ms (> 0)
 * - `x-rightsize-min-accuracy`: accuracy floor in [0, 1]
 * - `x-rightsize-max-cost-usd`: cost ceiling per request, USD (>= 0)
 * - `x-rightsize-deployment`: `edge`, `on-prem`, `cloud` or `hybrid`
 * - `x-rightsize-task`: comma-separated `repetitive` | `varied`, `domain-specific`, `high-stakes`, and at
 *   most one task family name (letters, digits, `.`, `_`, `-`), e.g. `repetitive,domain-specific,banking77`
 *   or just `banking77`.
 * Absent headers are absent from the result.
 * @throws RightsizeError `invalid_request` naming the header (as `param`) and what it must be.
 */
export function readRequirementHeaders(headers: RequestHeaders): AutoRequirements {
  const result: AutoRequirements = {};
  const maxLatencyMs = readNumber(
    headers,
    'x-rightsize-max-latency-ms',
    (v) => v > 0,
    'a positive number of milliseconds, e.g. 250',
  );
  if (maxLatencyMs !== undefined) result.maxLatencyMs = maxLatencyMs;
  const minAccuracy = readNumber(
    headers,
    'x-rightsize-min-accuracy',
    (v) => v >= 0 && v <= 1,
    'a number from 0 to 1, e.g. 0.95',
  );
  if (minAccuracy !== undefined) result.minAccuracy = minAccuracy;
  const maxCostUsd = readNumber(
    headers,
    'x-rightsize-max-cost-usd',
    (v) => v >= 0,
    'a non-negative amount of USD, e.g. 0.002',
  );
  if (maxCostUsd !== undefined) result.maxCostUsd = maxCostUsd;

  const deployment = single(headers, 'x-rightsize-deployment');
  if (deployment !== undefined) {
    const parsed = deploymentTargetSchema.safeParse(deployment.toLowerCase());
    if (!parsed.success) {
      throw new RightsizeError(
        'invalid_request',
        'The x-rightsize-deployment header must be edge, on-prem, cloud or hybrid.',
        {
          param: 'x-rightsize-deployment',
        },
      );
    }
    result.deployment = parsed.data satisfies DeploymentTarget;
  }

  const task = single(headers, 'x-rightsize-task');
  if (task !== undefined) {
    for (const raw of task.split(',')) {
      const token = raw.trim().toLowerCase();
      if (token === '') continue;
      if (token === 'repetitive' || token === 'varied') {
        if (result.task !== undefined && result.task !== token) {
          throw new RightsizeError(
            'invalid_request',
            'The x-rightsize-task header names both repetitive and varied; keep one.',
            {
              param: 'x-rightsize-task',
            },
          );
        }
        result.task = token;
      } else if (token === 'domain-specific') result.domainSpecific = true;
      else if (token === 'high-stakes') result.highStakes = true;
      else if (!TASK_KEYWORDS.has(token) && FAMILY.test(token) && result.taskFamily === undefined)
        result.taskFamily = raw.trim();
      else {
        throw new RightsizeError(
          'invalid_request',
          'The x-rightsize-task header takes repetitive or varied, domain-specific, high-stakes and one task family name (letters, digits, ".", "_", "-"), comma-separated.',
          { param: 'x-rightsize-task' },
        );
      }
    }
  }
  return result;
}
