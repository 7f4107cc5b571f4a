import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { aheadOnly } from './inflight.js';
import { inValidationDelay, MAX_REPLACING, queueFull, turnHolder } from './turns.js';
import type { World } from './world.js';

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

describe('the cluster a replacing consolidation is checked against in its turn', () => {
  it('holds no room for the decisions behind it: only those launched or draining keep theirs', () => {
    const nodes = [
      marked('queued', 'validating:single-node', ''),
      marked('mine', 'validating:single-node', ''),
      marked('launched', 'validating:single-node', 'r1'),
      marked('draining', 'draining:single-node', 'r2'),
    ];
    const pods = nodes.map((n) => pod(`p-${n.metadata?.name ?? ''}`, n.metadata?.name ?? ''));
    const w = {
      nodes,
      podsByNode: new Map(pods.map((p) => [p.spec?.nodeName ?? '', [p]])),
      pools: [],
      daemonSets: [],
      catalog: builtinCatalog(),
      namePrefix: 'x-',
      inflight: { nodes: new Set(nodes.map((n) => n.metadata?.name ?? '')), pods, replacements: [] },
    };
    const names = (x: World) => x.inflight?.pods.map((p) => p.metadata?.name);
    expect(names(aheadOnly(w, new Set()))).toEqual(['p-launched', 'p-draining']);
    // The cache may not show this leader's launch yet: the ledger says it launched.
    expect(names(aheadOnly(w, new Set(['mine'])))).toEqual(['p-mine', 'p-launched', 'p-draining']);
    expect(aheadOnly(w, new Set()).inflight?.nodes.size).toBe(4);
  });
});

describe('one decision in its validation delay at a time (Karpenter validates inside its loop)', () => {
  const g = (method: string, since: number, claims: string[] = []) => ({ method, claims, since });
  it.each([
    ['an emptiness decision 5 s old', g('emptiness', 10_000), true],
    ['a multi-node consolidation 14 s old', g('multi-node', 1_000), true],
    ['a single-node consolidation whose delay has passed', g('single-node', 0), false],
    ['a consolidation checked and launching its replacements', g('single-node', 10_000, ['r1']), false],
    ['drift, which Karpenter does not validate so', g('drift', 10_000), false],
  ])('%s: %s', (_, group, waits) => {
    expect(inValidationDelay([group], 15_000, 15_000)).toBe(waits);
  });
});
