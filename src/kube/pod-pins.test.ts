import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { liftOps, type GatedPodRef } from './pod-gates.js';
import { pinnable, pinnedNode, pinOps, pinRequirement } from './pod-pins.js';

const GATE = 'berth.dev/capacity';
const NA = '/spec/affinity/nodeAffinity';
const REQ = `${NA}/requiredDuringSchedulingIgnoredDuringExecution`;
const pin = pinRequirement('node-a');
const pool = { key: 'karpenter.sh/nodepool', operator: 'In', values: ['general'] };
const owned = (kind: string) => ({
  ownerReferences: [{ apiVersion: 'apps/v1', kind, name: 'web-1', uid: 'u', controller: true }],
});
const pod = (
  metadata: NonNullable<V1Pod['metadata']>,
  spec: Partial<NonNullable<V1Pod['spec']>> = {},
): V1Pod => ({
  metadata,
  spec: { containers: [{ name: 'c' }], ...spec },
});

describe('pinnable', () => {
  it.each<[string, V1Pod, boolean]>([
    ["a ReplicaSet's pod", pod(owned('ReplicaSet')), true],
    ["a StatefulSet's pod without claims", pod(owned('StatefulSet')), true],
    ["a ReplicationController's pod", pod(owned('ReplicationController')), true],
    ["a Job's pod (a deleted pod counts as failed)", pod(owned('Job')), false],
    ['a bare pod (nobody makes it again)', pod({}), false],
    [
      'an owner that is not its controller',
      pod({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'u' }] }),
      false,
    ],
    [
      'a pod with a claimed volume (its zone is the volume’s)',
      pod(owned('StatefulSet'), { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'd-0' } }] }),
      false,
    ],
    [
      'a pod with an ephemeral volume',
      pod(owned('ReplicaSet'), { volumes: [{ name: 'd', ephemeral: {} }] }),
      false,
    ],
    [
      'a pod with a host port',
      pod(owned('ReplicaSet'), { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80 }] }] }),
      false,
    ],
    [
      'a pod with a container port only',
      pod(owned('ReplicaSet'), { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }),
      true,
    ],
  ])('%s: %s', (_name, p, want) => {
    expect(pinnable(p)).toBe(want);
  });
});

describe('pinOps', () => {
  const required = { nodeSelectorTerms: [{ matchFields: [pin] }] };
  it.each<[string, Parameters<typeof pinOps>[0], unknown[] | undefined]>([
    [
      'no affinity: added with the required term',
      {},
      [
        {
          op: 'add',
          path: '/spec/affinity',
          value: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } },
        },
      ],
    ],
    [
      'pod anti-affinity only: node affinity added beside it',
      { hasAffinity: true },
      [{ op: 'add', path: NA, value: { requiredDuringSchedulingIgnoredDuringExecution: required } }],
    ],
    [
      'preferred terms only: tested, the required term added',
      { hasAffinity: true, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
      [
        { op: 'test', path: NA, value: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
        { op: 'add', path: REQ, value: required },
      ],
    ],
    [
      'two required terms (a NodePool, a zone list): the requirement added to each',
      {
        hasAffinity: true,
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [pool] },
              { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['x'] }] },
            ],
          },
        },
      },
      [
        {
          op: 'test',
          path: NA,
          value: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [pool] },
                { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['x'] }] },
              ],
            },
          },
        },
        { op: 'add', path: `${REQ}/nodeSelectorTerms/0/matchFields`, value: [pin] },
        { op: 'add', path: `${REQ}/nodeSelectorTerms/1/matchFields/-`, value: pin },
      ],
    ],
    [
      'an empty term (it matches no Node; the API allows no addition): no pin',
      {
        hasAffinity: true,
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [pool] }, {}],
          },
        },
      },
      undefined,
    ],
  ])('%s', (_name, p, want) => {
    expect(pinOps(p, 'node-a')).toEqual(want);
  });
});

describe('liftOps with a pin', () => {
  const gates = [{ name: GATE }];
  const lift = [
    { op: 'test', path: '/spec/schedulingGates/0/name', value: GATE },
    { op: 'remove', path: '/spec/schedulingGates/0' },
  ];
  const ref: GatedPodRef = { namespace: 'perf', name: 'web-0', gates, pinnable: true };
  it('pins a pinnable pod in the patch that lifts its gate', () => {
    expect(liftOps(ref, GATE, 'node-a', true)).toEqual([...lift, ...(pinOps({}, 'node-a') ?? [])]);
  });
  it('steers (a preferred term) a pod that may not be pinned, or when pins are off', () => {
    const steered = liftOps({ ...ref, pinnable: false }, GATE, 'node-a', true);
    expect(steered?.[2]).toMatchObject({
      path: '/spec/affinity',
      value: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100 }] } },
    });
    expect(liftOps(ref, GATE, 'node-a', false)).toEqual(steered);
  });
  it('steers a pod whose required affinity has an empty term', () => {
    const odd = {
      ...ref,
      hasAffinity: true,
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } },
    };
    expect(liftOps(odd, GATE, 'node-a', true)?.at(-1)).toMatchObject({
      path: `${NA}/preferredDuringSchedulingIgnoredDuringExecution`,
    });
  });
});

describe('pinnedNode', () => {
  const withTerms = (nodeSelectorTerms: object[]) =>
    pod(
      {},
      {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } },
      },
    );
  it.each<[string, V1Pod, string | undefined]>([
    ['no affinity', pod({}), undefined],
    ['one term naming the node', withTerms([{ matchFields: [pin] }]), 'node-a'],
    [
      'every term names it beside other requirements',
      withTerms([{ matchExpressions: [pool], matchFields: [pin] }, { matchFields: [pin] }]),
      'node-a',
    ],
    [
      'a term without it (the pod may go elsewhere)',
      withTerms([{ matchFields: [pin] }, { matchExpressions: [pool] }]),
      undefined,
    ],
    [
      'terms naming two nodes',
      withTerms([{ matchFields: [pin] }, { matchFields: [pinRequirement('node-b')] }]),
      undefined,
    ],
    [
      'a term naming several nodes',
      withTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }]),
      undefined,
    ],
  ])('%s: %s', (_name, p, want) => {
    expect(pinnedNode(p)).toBe(want);
  });
  it('reads back what pinOps writes', () => {
    const ops = pinOps({}, 'node-z') ?? [];
    const first = ops[0];
    const affinity =
      first && 'value' in first ? (first.value as NonNullable<V1Pod['spec']>['affinity']) : undefined;
    expect(pinnedNode(pod({}, { ...(affinity ? { affinity } : {}) }))).toBe('node-z');
  });
});
