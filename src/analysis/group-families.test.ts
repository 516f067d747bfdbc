import { describe, expect, it } from 'vitest';
import type { RequestLogRecord } from '../store/store.ts';
import { sampleLogRecord } from '../store/store-conformance.ts';
import { analyzeLog } from './analyze-log.ts';
import { estimateCoverage, estimateSaving, MONTH_MS } from './estimate-saving.ts';
import { matchesFamily, requestParts } from './family-matcher.ts';
import { groupFamilies, outputShape } from './group-families.ts';

const TICKET_SYSTEM = 'You classify bank support tickets. Answer with one intent label only.';
const SUMMARY_SYSTEM = 'You summarise support conversations for the account manager in two sentences.';

let sequence = 0;
function logged(options: {
  system?: string;
  user: string;
  answer: string;
  costUsd?: number;
  tag?: string;
  time?: number;
}): RequestLogRecord {
  sequence++;
  const messages = [
    ...(options.system ? [{ role: 'system', content: options.system }] : []),
    { role: 'user', content: options.user },
  ];
  return sampleLogRecord({
    id: `req_${sequence}`,
    time: options.time ?? 1_700_000_000_000 + sequence * 1_000,
    requestMessages: JSON.stringify(messages),
    responseText: options.answer,
    costUsd: options.costUsd ?? 0.001,
    tag: options.tag ?? null,
    servedModel: 'gpt-4o',
  });
}

const intents = ['card_arrival', 'lost_or_stolen_card', 'exchange_rate', 'top_up_failed'];
const tickets = Array.from({ length: 80 }, (_, index) =>
  logged({
    system: TICKET_SYSTEM,
    user: `Ticket #${10_000_000 + index} from customer ${index % 7 === 0 ? 'jane.doe@example.com' : `"C-${index}"`}:\nMy card ${['has not arrived', 'was stolen', 'rate looks wrong', 'top up failed'][index % 4]} after ${index} days, please help`,
    answer: intents[index % 4] as string,
  }),
);
const summaries = Array.from({ length: 30 }, (_, index) =>
  logged({
    system: SUMMARY_SYSTEM,
    user: `Conversation ${index}:\nCustomer: I was charged twice for order ${index}.\nAgent: We refunded one charge.`,
    answer: `The customer reported a double charge on order ${index}. The agent refunded one of the two charges and closed the case.`,
  }),
);
const freeQuestions = Array.from({ length: 20 }, (_, index) =>
  logged({
    user: `Write a short poem about the number ${index} and the sea, with a rhyme in every line.`,
    answer: `Poem ${index}\nThe sea is wide, the number small,\nand waves keep count of it all.`,
  }),
);
const tagged = Array.from({ length: 12 }, (_, index) =>
  logged({ system: TICKET_SYSTEM, user: `Is my card ${index} blocked?`, answer: 'pin_blocked', tag: 'pin-check' }),
);

describe('groupFamilies', () => {
  const groups = groupFamilies([...tickets, ...summaries, ...freeQuestions, ...tagged]);

  it('groups requests whose template slots vary, and keeps different tasks apart', () => {
    expect(groups.map((group) => group.members.length)).toEqual([80, 30, 20, 12]);
    const ticketGroup = groups[0];
    expect(ticketGroup?.shape).toBe('label');
    expect(ticketGroup?.matcher).toMatchObject({ kind: 'template', system: TICKET_SYSTEM });
    expect(ticketGroup?.template).toContain('Ticket #<*> from customer <*>:');
    expect(groups[1]?.shape).toBe('text');
    expect(groups[1]?.template).toContain('Agent: We refunded one charge.');
    expect(groups[3]?.matcher).toEqual({ kind: 'tag', tag: 'pin-check' });
    expect(new Set(groups.map((group) => group.id)).size).toBe(4);
  });

  it('gives the same ids on another log of the same templates (stable ids)', () => {
    const again = groupFamilies([...tickets.slice(40), ...summaries.slice(10)]);
    expect(again.map((group) => group.id)).toEqual([groups[0]?.id, groups[1]?.id]);
  });

  it('matches new requests of a family at request time, and not those of another', () => {
    const matcher = groups[0]?.matcher;
    if (!matcher) throw new Error('no ticket family');
    const ticket = requestParts(
      [
        { role: 'system', content: TICKET_SYSTEM },
        { role: 'user', content: 'Ticket #99 from customer "Z":\nwhere is my new card?' },
      ],
      null,
    );
    expect(matchesFamily(matcher, ticket)).toBe(true);
    const summary = requestParts(
      [
        { role: 'system', content: SUMMARY_SYSTEM },
        { role: 'user', content: 'Ticket #99 from customer "Z":\nwhere is my new card?' },
      ],
      null,
    );
    expect(matchesFamily(matcher, summary)).toBe(false);
    expect(matchesFamily({ kind: 'tag', tag: 'pin-check' }, { system: '', user: 'x', tag: 'pin-check' })).toBe(true);
  });

  it('tells label-like answers from free text', () => {
    expect(outputShape('card_arrival')).toBe('label');
    expect(outputShape('The customer reported a double charge, and the agent refunded it.')).toBe('text');
  });
});

describe('saving arithmetic', () => {
  it('pays the specialist on every request and the model on the ones it does not settle', () => {
    const saving = estimateSaving({
      requestsPerMonth: 100_000,
      costPerRequestUsd: 0.002,
      coverage: 0.8,
      specialistCostPerCallUsd: 0.000001,
    });
    expect(saving.cascadeCostPerRequestUsd).toBeCloseTo(0.000001 + 0.2 * 0.002, 12);
    expect(saving.savingPerRequestUsd).toBeCloseTo(0.0016 - 0.000001, 12);
    expect(saving.monthlySavingUsd).toBeCloseTo(159.9, 6);
    expect(saving.savingShare).toBeCloseTo(0.7995, 6);
  });

  it('estimates coverage only from labels with enough examples', () => {
    const counts = new Map([
      ['a', 50],
      ['b', 40],
      ['c', 5],
      ['d', 5],
    ]);
    const estimate = estimateCoverage({ answerCounts: counts });
    expect(estimate.learnableShare).toBeCloseTo(0.9, 10);
    expect(estimate.coverage).toBeCloseTo(0.63, 10);
    expect(estimateCoverage({ answerCounts: new Map([['only', 100]]) }).coverage).toBe(0);
  });

  it('ranks the ticket family first and leaves free-text families on the model', () => {
    const report = analyzeLog([...tickets, ...summaries, ...freeQuestions], { periodMs: MONTH_MS });
    const [first, ...others] = report.families;
    expect(first?.id).toBe(groups()[0]?.id);
    expect(first?.requestsPerMonth).toBeCloseTo(80, 6);
    expect(first?.costPerMonthUsd).toBeCloseTo(0.08, 9);
    expect(first?.outputsFor90).toBe(4);
    // 80 requests x $0.001 x (0.7 coverage) - 80 x $0.000001 specialist calls.
    expect(first?.opportunity.monthlySavingUsd).toBeCloseTo(80 * (0.7 * 0.001 - 0.000001), 9);
    expect(first?.opportunity.verdict).toBe('move');
    expect(first?.example).toContain('Ticket #[number]');
    for (const family of others) {
      expect(family.opportunity.verdict).toBe('stay');
      expect(family.opportunity.monthlySavingUsd).toBe(0);
    }
  });
});

function groups() {
  return groupFamilies(tickets);
}
