import { describe, expect, it } from 'vitest';
import { boundPod, spreadPod, zonedNode } from '../../../test/support/spread-pods.js';
import { spreadFacts, spreadSafe, type SpreadFact } from './spread-lifts.js';

const pod = spreadPod;
const node = zonedNode;

describe('spreadFacts', () => {
  const nodes = [
    node('a-1', 'a', [boundPod('x1'), boundPod('x2'), boundPod('other', 'db')]),
    node('b-1', 'b', [boundPod('x3')]),
    node('c-1', 'c'),
    node('d-claim', 'd', [], true),
  ];

  it.each([
    [
      'counts the bound pods its selector picks, against the least loaded zone with a Node',
      'a-1',
      {},
      { domain: 'a', bound: 2, min: 0 },
    ],
    [
      'takes the minimum over the zones its node affinity allows',
      'a-1',
      { zones: ['a', 'b'] },
      { domain: 'a', bound: 2, min: 1 },
    ],
    [
      'a claim in flight is no zone yet to the scheduler',
      'b-1',
      { zones: ['b', 'd'] },
      { domain: 'b', bound: 1, min: 1 },
    ],
    [
      'counts itself only when its own selector picks it',
      'c-1',
      { app: 'api' },
      { domain: 'c', bound: 0, min: 0, self: false },
    ],
  ] as const)('%s', (_name, target, o, want) => {
    const p = pod('new', o);
    const facts = spreadFacts(nodes, [p], new Map([[p.id, target]]));
    expect(facts.get(p.id)).toEqual([
      { maxSkew: 1, self: true, ...want, group: expect.any(String) as string },
    ]);
  });

  it('leaves out pods without a target Node that is there, or without a DoNotSchedule spread', () => {
    const [a, b, c] = [pod('a'), pod('b'), pod('c', { soft: true })];
    const facts = spreadFacts(
      nodes,
      [a, b, c],
      new Map([
        [b.id, 'd-claim'],
        [c.id, 'a-1'],
      ]),
    );
    expect(facts.size).toBe(0);
  });
});

const fact = (domain: string, o: Partial<SpreadFact> = {}): SpreadFact[] => [
  { group: 'web', maxSkew: 1, domain, bound: 0, min: 0, self: true, ...o },
];

describe('spreadSafe', () => {
  const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);

  it.each([
    [
      'one pod per zone from a balanced start; the second for a zone waits',
      [
        ['a1', fact('a')],
        ['a2', fact('a')],
        ['b1', fact('b')],
        ['c1', fact('c')],
      ],
      [],
      ['a1', 'b1', 'c1'],
    ],
    [
      'a pod already in the scheduler’s hands counts in its zone',
      [
        ['a2', fact('a')],
        ['b1', fact('b')],
      ],
      ['a1'],
      ['b1'],
    ],
    [
      'the least loaded zone always goes; a zone ahead of it waits',
      [
        ['a3', fact('a', { bound: 1 })],
        ['c1', fact('c')],
      ],
      [],
      ['c1'],
    ],
    [
      'maxSkew 2 lets two through per zone',
      [
        ['a1', fact('a', { maxSkew: 2 })],
        ['a2', fact('a', { maxSkew: 2 })],
      ],
      [],
      ['a1', 'a2'],
    ],
    [
      'another spread’s pods do not count',
      [
        ['a1', fact('a')],
        ['a2', fact('a', { group: 'api' })],
      ],
      [],
      ['a1', 'a2'],
    ],
    [
      'a pod with no spread goes',
      [
        ['a1', fact('a')],
        ['free', undefined],
      ],
      ['a0'],
      ['free'],
    ],
  ] as const)('%s', (_name, cands, inHands, want) => {
    const facts = new Map<string, SpreadFact[]>();
    for (const [id, f] of cands) if (f) facts.set(id, [...f]);
    facts.set('a0', fact('a'));
    facts.set('a1-hands', fact('a'));
    const candidates = cands.map(([id]) => ({ id }));
    const hands = inHands.map((id) => (id === 'a1' ? 'a1-hands' : id));
    const { now, waiting } = spreadSafe(candidates, facts, hands);
    expect(ids(now)).toEqual(want);
    expect(ids(waiting)).toEqual(ids(candidates).filter((id) => !want.includes(id as never)));
  });
});
