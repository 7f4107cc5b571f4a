import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { NodePool } from '../scheduling/nodepool.js';
import { classesOf, initPolicies } from './init.js';
import { loadPolicies } from './policies.js';

const pool = (
  name: string,
  extra: Partial<NodePool['spec']> = {},
  more: Partial<NodePool['spec']['template']> = {},
): NodePool => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name },
  spec: {
    ...extra,
    template: {
      ...more,
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [],
        ...more.spec,
      },
    },
  },
});
const onDemand = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] };
const BASE = readFileSync('policies.yaml', 'utf8');

describe('berth init: runtime classes from the cluster’s NodePools', () => {
  it('makes one class per pool, selected by karpenter.sh/nodepool, spot and consolidation as the pool allows', () => {
    const classes = classesOf([
      pool('default'),
      pool(
        'on-demand',
        { disruption: { consolidationPolicy: 'WhenEmpty' } },
        { spec: { requirements: [onDemand] } },
      ),
      pool('gpu', {}, { spec: { taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] } }),
    ]);
    expect(
      classes.map((c) => [
        c.name,
        c.nodePools,
        c.nodeSelector,
        c.spotAllowed,
        c.consolidates,
        c.memoryLimitRatio,
      ]),
    ).toEqual([
      ['default', ['default'], { 'karpenter.sh/nodepool': 'default' }, true, true, 1.5],
      ['gpu', ['gpu'], { 'karpenter.sh/nodepool': 'gpu' }, true, true, 1],
      ['on-demand', ['on-demand'], { 'karpenter.sh/nodepool': 'on-demand' }, false, false, 1.5],
    ]);
  });

  it('groups pools that carry the class label into one class per value (classes by runtime, not by team)', () => {
    const labelled = (name: string, cls: string, reqs = [] as (typeof onDemand)[]) =>
      pool(
        name,
        {},
        { metadata: { labels: { 'berth.dev/runtime-class': cls } }, spec: { requirements: reqs } },
      );
    const classes = classesOf([
      labelled('web-a', 'general'),
      labelled('web-b', 'general', [onDemand]),
      labelled('db', 'memory'),
      pool('misc'),
    ]);
    expect(classes.map((c) => [c.name, c.nodePools, c.nodeSelector, c.spotAllowed])).toEqual([
      ['general', ['web-a', 'web-b'], { 'berth.dev/runtime-class': 'general' }, false],
      ['memory', ['db'], { 'berth.dev/runtime-class': 'memory' }, true],
      ['misc', ['misc'], { 'karpenter.sh/nodepool': 'misc' }, true],
    ]);
  });

  it('a static pool (spec.replicas) is never consolidated under load', () => {
    expect(classesOf([pool('fixed', { replicas: 3 })])[0]?.consolidates).toBe(false);
  });

  it('keeps the base’s rules and settings, sets the mode and the pools’ zones, and writes a file the live reload accepts', () => {
    const zoned = pool(
      'default',
      {},
      {
        spec: {
          requirements: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1b', 'eu-west-1a'] },
          ],
        },
      },
    );
    const r = initPolicies({
      nodePools: [zoned],
      base: BASE,
      mode: 'karpenter',
      modeWhy: 'test',
      source: 'pools.yaml',
      today: '2026-11-27',
    });
    const loaded = loadPolicies(r.text, 'policies.yaml', '2026-11-27');
    expect(loaded.ok).toBe(true);
    const doc = parse(r.text) as {
      provisioner: { mode: string };
      zones: string[];
      rules: Record<string, unknown>;
      runtimeClasses: Record<string, unknown>;
    };
    expect(doc.provisioner.mode).toBe('karpenter');
    expect(doc.zones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(Object.keys(doc.runtimeClasses)).toEqual(['default']);
    expect(doc.rules).toEqual((parse(BASE) as { rules: unknown }).rules);
    expect(r.text.startsWith('# Berth policies, written by berth init on 2026-11-27 from pools.yaml')).toBe(
      true,
    );
    expect(r.summary[0]).toBe('mode: karpenter (test)');
    expect(r.summary[1]).toContain(
      'class default → NodePool default (nodeSelector karpenter.sh/nodepool=default; spot allowed; consolidates)',
    );
  });
});
