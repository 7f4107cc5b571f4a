import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { heldBy, liftGate, liftOps, plannedNodeTerm, type GatedPodRef } from './pod-gates.js';

const GATE = 'berth.dev/capacity';
const at = { namespace: 'perf', name: 'web-0' };
const lift = [
  { op: 'test', path: '/spec/schedulingGates/1/name', value: GATE },
  { op: 'remove', path: '/spec/schedulingGates/1' },
];
const gates = [{ name: 'example.com/quota' }, { name: GATE }];
const term = plannedNodeTerm('node-a');
const required = {
  nodeSelectorTerms: [
    { matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['general'] }] },
  ],
};
const other = {
  weight: 10,
  preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
};
const NA = '/spec/affinity/nodeAffinity';
const PREF = `${NA}/preferredDuringSchedulingIgnoredDuringExecution`;

describe('heldBy', () => {
  it.each([
    ['behind the gate', { spec: { containers: [], schedulingGates: gates } }, true],
    ['behind another gate only', { spec: { containers: [], schedulingGates: [{ name: 'x' }] } }, false],
    ['bound', { spec: { containers: [], nodeName: 'n', schedulingGates: gates } }, false],
    [
      'being deleted',
      { metadata: { deletionTimestamp: new Date() }, spec: { containers: [], schedulingGates: gates } },
      false,
    ],
  ] satisfies [string, V1Pod, boolean][])('a pod %s: %s', (_name, pod, want) => {
    expect(heldBy(pod, GATE)).toBe(want);
  });
});

describe('liftOps', () => {
  it.each<[string, GatedPodRef, string | undefined, unknown[] | undefined]>([
    ['no such gate', { ...at, gates: [{ name: 'other' }] }, 'node-a', undefined],
    ['unsteered: the gate alone, its name tested at its index', { ...at, gates }, undefined, lift],
    [
      'no affinity: one is added with the term',
      { ...at, gates },
      'node-a',
      [
        ...lift,
        {
          op: 'add',
          path: '/spec/affinity',
          value: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term] } },
        },
      ],
    ],
    [
      'pod anti-affinity only: node affinity added beside it',
      { ...at, gates, hasAffinity: true },
      'node-a',
      [...lift, { op: 'add', path: NA, value: { preferredDuringSchedulingIgnoredDuringExecution: [term] } }],
    ],
    [
      'required node affinity (a NodePool): tested unchanged, the preferred list added',
      {
        ...at,
        gates,
        hasAffinity: true,
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required },
      },
      'node-a',
      [
        ...lift,
        { op: 'test', path: NA, value: { requiredDuringSchedulingIgnoredDuringExecution: required } },
        { op: 'add', path: PREF, value: [term] },
      ],
    ],
    [
      'preferred terms of its own: the term appended',
      {
        ...at,
        gates,
        hasAffinity: true,
        nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [other] },
      },
      'node-a',
      [
        ...lift,
        { op: 'test', path: NA, value: { preferredDuringSchedulingIgnoredDuringExecution: [other] } },
        { op: 'add', path: `${PREF}/-`, value: term },
      ],
    ],
  ])('%s', (_name, pod, prefer, want) => {
    expect(liftOps(pod, GATE, prefer)).toEqual(want);
  });

  it('names the node by metadata.name with the heaviest weight a preferred term can have', () => {
    expect(term).toEqual({
      weight: 100,
      preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] },
    });
  });
});

describe('liftGate', () => {
  const core = (codes: number[]) => {
    const bodies: unknown[] = [];
    const api = {
      patchNamespacedPod: (req: { body: unknown }) => {
        bodies.push(req.body);
        const code = codes.shift();
        return code === undefined
          ? Promise.resolve({})
          : Promise.reject(Object.assign(new Error('x'), { code }));
      },
    } as unknown as Pick<CoreV1Api, 'patchNamespacedPod'>;
    return { api, bodies };
  };

  it('lifts unsteered when the steered patch is refused (the pod changed since): the gate must come off', async () => {
    const c = core([422]);
    expect(await liftGate(c.api, { ...at, gates }, GATE, 'node-a')).toBe(true);
    expect(c.bodies).toHaveLength(2);
    expect(c.bodies[1]).toEqual(lift);
  });

  it('is false for a pod gone or changed, and throws what else the API server says', async () => {
    expect(await liftGate(core([404]).api, { ...at, gates }, GATE, 'node-a')).toBe(false);
    expect(await liftGate(core([422]).api, { ...at, gates }, GATE)).toBe(false);
    await expect(liftGate(core([500]).api, { ...at, gates }, GATE)).rejects.toThrow('x');
  });
});
