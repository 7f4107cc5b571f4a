import { describe, expect, it } from 'vitest';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { autoModeKey } from '../scheduling/auto-mode.js';
import { optIn, patchCommand } from './opt-in.js';

const taint = { key: 'eks-auto-mode', effect: 'NoSchedule' as const };
const auto = { 'eks.amazonaws.com/compute-type': 'auto' };
const spec = (s: Partial<V1PodSpec>): V1PodSpec => ({ containers: [{ name: 'c' }], ...s });

describe('a workload opting in', () => {
  it('tolerates the taint and selects the new nodes', () => {
    const o = optIn(spec({}), taint, auto, autoModeKey);
    expect(o.spec.tolerations).toEqual([{ key: 'eks-auto-mode', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(o.spec.nodeSelector).toEqual(auto);
    expect(o.patch).toEqual({ nodeSelector: auto, tolerations: o.spec.tolerations });
    expect(o.lost).toEqual([]);
  });

  it('renames the instance labels it selects on, and removes the old key in the patch', () => {
    const o = optIn(
      spec({ nodeSelector: { 'karpenter.k8s.aws/instance-family': 'm5', team: 'shop' } }),
      taint,
      auto,
      autoModeKey,
    );
    expect(o.spec.nodeSelector).toEqual({ 'eks.amazonaws.com/instance-family': 'm5', team: 'shop', ...auto });
    expect(o.patch.nodeSelector).toEqual({
      'karpenter.k8s.aws/instance-family': null,
      'eks.amazonaws.com/instance-family': 'm5',
      ...auto,
    });
    expect(o.renamed).toEqual([['karpenter.k8s.aws/instance-family', 'eks.amazonaws.com/instance-family']]);
  });

  it('names a label the new nodes do not carry', () => {
    const o = optIn(
      spec({ nodeSelector: { 'karpenter.k8s.aws/instance-accelerator-name': 'inferentia' } }),
      taint,
      auto,
      autoModeKey,
    );
    expect(o.lost).toEqual(['karpenter.k8s.aws/instance-accelerator-name']);
  });

  it('needs no toleration when it tolerates everything already', () => {
    const o = optIn(
      spec({ tolerations: [{ operator: 'Exists' }], nodeSelector: auto }),
      taint,
      auto,
      autoModeKey,
    );
    expect(o.patch).toEqual({});
  });

  it('rewrites required node affinity, dropping a term left with nothing to match', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
              ],
            },
            { matchExpressions: [{ key: 'eks.amazonaws.com/nodegroup', operator: 'In', values: ['ng-1'] }] },
          ],
        },
      },
    };
    const drop = (k: string) => (k === 'eks.amazonaws.com/nodegroup' ? undefined : autoModeKey(k));
    const o = optIn(spec({ affinity }), taint, auto, drop);
    expect(
      o.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      { matchExpressions: [{ key: 'eks.amazonaws.com/instance-generation', operator: 'Gt', values: ['5'] }] },
    ]);
    const only = optIn(
      spec({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
                  .nodeSelectorTerms[1] as never,
              ],
            },
          },
        },
      }),
      taint,
      auto,
      drop,
    );
    expect(only.patch.affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null },
    });
  });

  it("follows a pool made again under another name (karpenter.sh/nodepool's value)", () => {
    const o = optIn(
      spec({ nodeSelector: { 'karpenter.sh/nodepool': 'general' } }),
      taint,
      auto,
      autoModeKey,
      (k, v) => (k === 'karpenter.sh/nodepool' ? `${v}-auto` : v),
    );
    expect(o.patch.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'general-auto', ...auto });
  });
});

describe('the command that opts a workload in', () => {
  const o = optIn(spec({}), taint, auto, autoModeKey);
  const obj = (kind: string, labels?: Record<string, string>): KubeObject => ({
    kind,
    metadata: { name: 'x', namespace: 'shop', ...(labels ? { labels } : {}) },
  });
  it.each([
    [
      'Deployment',
      `kubectl -n shop patch deployment x --type merge -p '{"spec":{"template":{"spec":{"nodeSelector":{"eks.amazonaws.com/compute-type":"auto"},"tolerations":[{"key":"eks-auto-mode","operator":"Exists","effect":"NoSchedule"}]}}}}'`,
    ],
    [
      'CronJob',
      `kubectl -n shop patch cronjob x --type merge -p '{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"nodeSelector":{"eks.amazonaws.com/compute-type":"auto"},"tolerations":[{"key":"eks-auto-mode","operator":"Exists","effect":"NoSchedule"}]}}}}}}'`,
    ],
  ])('%s', (kind, want) => {
    expect(patchCommand(obj(kind), o)).toBe(want);
  });
  it('says a bare Pod is made again, and a profiled workload moves by its runtime class', () => {
    expect(patchCommand(obj('Pod'), o)).toMatch(/^# Pod shop\/x: make it again with/);
    expect(patchCommand(obj('Deployment', { 'berth.dev/profile': 'web' }), o)).toMatch(
      /^# Deployment shop\/x is compiled from WorkloadProfile web: give its runtime class in policies.yaml the new pool/,
    );
  });
});
