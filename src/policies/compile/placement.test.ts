import { describe, expect, it } from 'vitest';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import type { RuntimeClassConfig } from '../schema/policies-schema.js';
import { classNodeSelector, classTolerations } from './placement.js';

function pool(name: string, group: string): NodePool {
  return {
    metadata: { name },
    spec: { template: { spec: { nodeClassRef: { group, kind: 'NodeClass', name: 'default' } } } },
  };
}
const auto = poolView(pool('auto', 'eks.amazonaws.com'));
const system = poolView(pool('system', 'eks.amazonaws.com'));
const berth = poolView(pool('general', 'karpenter.k8s.aws'));

function cls(nodePools: string[], nodeSelector?: Record<string, string>): RuntimeClassConfig {
  const out: RuntimeClassConfig = { nodePools, spotAllowed: false, consolidates: true };
  if (nodeSelector) out.nodeSelector = nodeSelector;
  return out;
}

describe('classNodeSelector', () => {
  it.each([
    [
      'Berth pools: as written',
      ['general'],
      { 'karpenter.k8s.aws/instance-category': 'c' },
      { 'karpenter.k8s.aws/instance-category': 'c' },
    ],
    [
      'Auto Mode pools: in their labels, pinned to Auto Mode',
      ['auto'],
      { 'karpenter.k8s.aws/instance-category': 'c', team: 'search' },
      {
        'eks.amazonaws.com/instance-category': 'c',
        team: 'search',
        'eks.amazonaws.com/compute-type': 'auto',
      },
    ],
    [
      'Auto Mode pools, no selector',
      ['auto', 'system'],
      undefined,
      { 'eks.amazonaws.com/compute-type': 'auto' },
    ],
    [
      'a mix: as written (no one vocabulary fits both)',
      ['auto', 'general'],
      { 'karpenter.k8s.aws/instance-category': 'c' },
      { 'karpenter.k8s.aws/instance-category': 'c' },
    ],
    ['pools missing from the cluster: as written', ['gone'], { a: 'b' }, { a: 'b' }],
  ])('%s', (_, nodePools, selector, expected) => {
    expect(classNodeSelector(cls(nodePools, selector), [auto, system, berth])).toEqual(expected);
  });

  it('keeps a compute-type the class sets itself', () => {
    const sel = classNodeSelector(cls(['auto'], { 'eks.amazonaws.com/compute-type': 'hybrid' }), [auto]);
    expect(sel['eks.amazonaws.com/compute-type']).toBe('hybrid');
  });
});

describe('classTolerations', () => {
  it("tolerates the built-in system pool's CriticalAddonsOnly taint", () => {
    expect(classTolerations(cls(['system']), [system])).toEqual([
      { key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
});
