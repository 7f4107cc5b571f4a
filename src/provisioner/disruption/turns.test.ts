import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { MAX_REPLACING, queueFull, turnHolder } from './turns.js';

const marked = (name: string, phase: string, claims: string, decision = name) =>
  node(name, {
    annotations: {
      'berth.dev/disruption': phase,
      'berth.dev/replacements': claims,
      'berth.dev/disruption-decision': decision,
    },
  });

describe('turns at the launch for replacing consolidations', () => {
  it.each([
    ['replacements joining', marked('a', 'validating:single-node', 'r1'), [], 'a'],
    ['a drain with a pod still to move', marked('a', 'draining:multi-node', 'r1'), [pod('w', 'a')], 'a'],
    ['a drain whose pods have moved', marked('a', 'draining:single-node', 'r1'), [], undefined],
    ['a decision that launched nothing', marked('a', 'validating:single-node', ''), [], undefined],
    ['drift, which does not take turns', marked('a', 'validating:drift', 'r1'), [], undefined],
    ['the decision asking', marked('a', 'validating:single-node', 'r1', 'self'), [], undefined],
  ])('%s: held by %s', (_, n, pods, holder) => {
    const byNode = new Map([['a', pods]]);
    expect(turnHolder([n], byNode, 'self')).toBe(holder);
  });

  it('refuses a new replacing consolidation only once MAX_REPLACING are under way', () => {
    expect(queueFull(MAX_REPLACING - 1)).toBeUndefined();
    expect(queueFull(MAX_REPLACING)).toMatch(/3 replacing consolidations are under way/);
  });
});
