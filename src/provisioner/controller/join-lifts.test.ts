import { describe, expect, it } from 'vitest';
import { joinLifts, usableLookup, type JoinableNode, type JoinCandidate } from './join-lifts.js';

const nodes: JoinableNode[] = [
  { name: 'berth-x-1-0001', providerId: 'kwok:///us-east-1a/i-sim1', usable: true },
  { name: 'berth-x-1-0002', usable: false },
  { name: 'ip-10-0-0-7.ec2.internal', providerId: 'aws:///us-east-1b/i-0abc', usable: true },
];
const providers: Record<string, string> = {
  'berth-x-1-0003': 'aws:///us-east-1b/i-0abc',
  'berth-x-1-0004': 'aws:///us-east-1b/i-0def',
};
const usable = usableLookup(nodes, (claim) => providers[claim]);

describe('usableLookup', () => {
  it.each([
    ['a usable Node by name', 'berth-x-1-0001', 'berth-x-1-0001'],
    ['a Node not Ready yet', 'berth-x-1-0002', undefined],
    [
      'a claim whose Node is named otherwise, by its provider ID',
      'berth-x-1-0003',
      'ip-10-0-0-7.ec2.internal',
    ],
    ['a claim whose Node has not registered', 'berth-x-1-0004', undefined],
    ['a name nobody knows', 'berth-x-1-0009', undefined],
  ])('%s', (_, name, node) => {
    expect(usable(name)).toBe(node);
  });
});

describe('joinLifts', () => {
  const pod = (id: string, size: number, spread = false): JoinCandidate => ({
    id,
    createdAt: 0,
    size,
    spread,
  });
  const nominated: Record<string, string> = {
    'perf/small': 'berth-x-1-0001',
    'perf/large': 'berth-x-1-0001',
    'perf/on-aws': 'berth-x-1-0003',
    'perf/booting': 'berth-x-1-0002',
    'perf/zonal': 'berth-x-1-0001',
  };

  it('lets through, largest first and steered, the pods whose nominated Node takes pods now', () => {
    const gated = [
      pod('perf/small', 1),
      pod('perf/large', 8),
      pod('perf/on-aws', 2),
      pod('perf/booting', 4),
      pod('perf/never-planned', 4),
    ];
    expect(joinLifts(gated, (p) => nominated[p], usable)).toEqual([
      { id: 'perf/large', reason: 'capacity', node: 'berth-x-1-0001' },
      { id: 'perf/on-aws', reason: 'capacity', node: 'ip-10-0-0-7.ec2.internal' },
      { id: 'perf/small', reason: 'capacity', node: 'berth-x-1-0001' },
    ]);
  });

  it('leaves pods with a DoNotSchedule spread to the rounds (their layers)', () => {
    expect(joinLifts([pod('perf/zonal', 4, true)], (p) => nominated[p], usable)).toEqual([]);
  });
});
