import { describe, expect, it } from 'vitest';
import { sampleLogRecord } from '../store/store-conformance.ts';
import { clusterFreeFormFamilies, isFreeForm } from './cluster-free-form.ts';
import { findFamilies } from './find-families.ts';
import { groupFamilies } from './group-families.ts';

const math = [
  'A baker sells 12 loaves a day at 3 dollars each. How much does she earn in a week?',
  'Tom has 5 apples and buys 7 more, then gives 4 away. How many apples does he have?',
  'A train travels 60 miles per hour for 3 hours. How far does it go?',
  'If a shirt costs 20 dollars and is 25 percent off, what is the sale price?',
  'Sara reads 15 pages a day. How many days does she need for a 300-page book?',
  'A farmer has 48 eggs and packs them in boxes of 6. How many boxes does he fill?',
  'John earns 15 dollars an hour and works 8 hours a day for 5 days. What does he earn?',
  'A rectangle is 8 meters long and 5 meters wide. What is its area?',
];
const writing = [
  'Write a haiku about autumn leaves falling in a quiet park.',
  'Compose a short poem about the ocean at night and the moon.',
  'Write a limerick about a cat who loves to sleep in the sun.',
  'Draft a sonnet about lost love and the changing of the seasons.',
  'Write a poem about a lighthouse keeper watching a storm.',
  'Compose a few rhyming lines about spring flowers and bees.',
  'Write a free verse poem about city lights in the rain.',
  'Write a short ballad about a sailor returning home.',
];

function records() {
  return [...math, ...writing].map((prompt, index) =>
    sampleLogRecord({
      id: `req_${index}`,
      requestMessages: JSON.stringify([{ role: 'user', content: prompt }]),
      responseText: `A long answer, over several lines,\nabout request ${index}, as a model would write it.`,
    }),
  );
}

/** Two topics on two axes: what a sentence encoder does, without loading one. */
async function fakeEmbed(texts: readonly string[]): Promise<Float32Array[]> {
  return texts.map((text) =>
    /poem|haiku|limerick|sonnet|ballad|rhyming|verse/i.test(text)
      ? Float32Array.from([0.1 * (text.length % 3), 1, 0])
      : Float32Array.from([1, 0.1 * (text.length % 3), 0]),
  );
}

describe('clusterFreeFormFamilies', () => {
  it('splits free-form requests by topic, with ids stable across runs', async () => {
    const groups = groupFamilies(records());
    expect(groups).toHaveLength(1);
    expect(isFreeForm(groups[0] as (typeof groups)[number])).toBe(true);
    const clustered = await clusterFreeFormFamilies(groups, { embed: fakeEmbed });
    expect(clustered.map((group) => group.members.length)).toEqual([8, 8]);
    for (const group of clustered) {
      expect(group.matcher.kind).toBe('cluster');
      const texts = group.members.map((member) => member.parts.user);
      expect(texts.every((text) => math.includes(text)) || texts.every((text) => writing.includes(text))).toBe(true);
    }
    const again = await clusterFreeFormFamilies(groupFamilies(records().reverse()), { embed: fakeEmbed });
    expect(new Set(again.map((group) => group.id))).toEqual(new Set(clustered.map((group) => group.id)));
  });

  it('separates math questions from poems with the real sentence encoder', async () => {
    const families = await findFamilies(records());
    expect(families).toHaveLength(2);
    const [first, second] = families.map((family) => family.members.map((member) => member.parts.user));
    expect(
      new Set([first?.every((text) => math.includes(text)), second?.every((text) => math.includes(text))]),
    ).toEqual(new Set([true, false]));
    expect(second?.every((text) => writing.includes(text)) || first?.every((text) => writing.includes(text))).toBe(
      true,
    );
  }, 60_000);
});
