import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { awaitsVolume, claimsOf, volumeZones, withVolumeZones } from './volume-topology.js';

const pv = (name: string, key: string, zones: string[]): KubeObject => ({
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    nodeAffinity: {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: zones }] }] },
    },
  },
});
const pvc = (name: string, volume?: string): KubeObject => ({
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'db' },
  spec: volume === undefined ? {} : { volumeName: volume },
});
const pod = (...volumes: NonNullable<V1Pod['spec']>['volumes'][]): V1Pod => ({
  metadata: { name: 'db-0', namespace: 'db' },
  spec: { containers: [], volumes: volumes.flat().filter((v) => v !== undefined) },
});
const claimVolume = (claim: string) => [{ name: claim, persistentVolumeClaim: { claimName: claim } }];

describe('claimsOf / volumeZones', () => {
  const pvs = [
    pv('pv-c', 'topology.ebs.csi.aws.com/zone', ['us-east-1c']),
    pv('pv-bc', 'topology.kubernetes.io/zone', ['us-east-1b', 'us-east-1c']),
  ];
  it.each([
    ['no claim: any zone', pod(), [], undefined],
    ['a claim that is not there', pod(claimVolume('gone')), [{ claim: 'gone', missing: true }], undefined],
    ['a claim not bound yet (WaitForFirstConsumer)', pod(claimVolume('new')), [{ claim: 'new' }], undefined],
    [
      "an EBS volume: the CSI driver's zone key",
      pod(claimVolume('data')),
      [{ claim: 'data', volume: 'pv-c', zones: ['us-east-1c'] }],
      ['us-east-1c'],
    ],
    [
      'two volumes: the zones both allow',
      pod(claimVolume('data'), claimVolume('logs')),
      [
        { claim: 'data', volume: 'pv-c', zones: ['us-east-1c'] },
        { claim: 'logs', volume: 'pv-bc', zones: ['us-east-1b', 'us-east-1c'] },
      ],
      ['us-east-1c'],
    ],
    [
      'bound to a volume not seen yet: its zones unknown',
      pod(claimVolume('fresh')),
      [{ claim: 'fresh', volume: 'pv-new', unseen: true }],
      undefined,
    ],
    [
      "a generic ephemeral volume's claim, made with the pod",
      pod([{ name: 'scratch', ephemeral: {} }]),
      [{ claim: 'db-0-scratch' }],
      undefined,
    ],
  ])('%s', (_, p, claims, zones) => {
    const pvcs = [pvc('new'), pvc('data', 'pv-c'), pvc('logs', 'pv-bc'), pvc('fresh', 'pv-new')];
    const got = claimsOf(p, pvcs, pvs);
    expect(got).toEqual(claims);
    expect(volumeZones(got)).toEqual(zones);
  });
});

describe('withVolumeZones', () => {
  const pvs = [pv('pv-c', 'topology.ebs.csi.aws.com/zone', ['us-east-1c'])];
  const pvcs = [pvc('data', 'pv-c'), pvc('new')];
  const zoneOf = (p: V1Pod) =>
    p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.map(
      (t) => (t.matchExpressions ?? []).map((e) => `${e.key} ${e.operator} ${(e.values ?? []).join(',')}`),
    );

  it('leaves a pod without claims, or whose claims are unbound, as it is (the same object)', () => {
    for (const p of [pod(), pod(claimVolume('new'))]) expect(withVolumeZones(p, { pvcs, pvs })).toBe(p);
  });

  it("adds the volume's zone to a pod with no node affinity", () => {
    expect(zoneOf(withVolumeZones(pod(claimVolume('data')), { pvcs, pvs }))).toEqual([
      ['topology.kubernetes.io/zone In us-east-1c'],
    ]);
  });

  it('narrows every term of a required node affinity, and leaves the original alone', () => {
    const p = pod(claimVolume('data'));
    (p.spec ??= { containers: [] }).affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] },
            { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
          ],
        },
      },
    };
    expect(zoneOf(withVolumeZones(p, { pvcs, pvs }))).toEqual([
      ['kubernetes.io/arch In arm64', 'topology.kubernetes.io/zone In us-east-1c'],
      ['kubernetes.io/arch In amd64', 'topology.kubernetes.io/zone In us-east-1c'],
    ]);
    expect(zoneOf(p)).toEqual([['kubernetes.io/arch In arm64'], ['kubernetes.io/arch In amd64']]);
  });
});

// Karpenter skips a pod whose claim or PersistentVolume it cannot read; so does a round.
describe('awaitsVolume', () => {
  const pvs = [pv('pv-c', 'topology.kubernetes.io/zone', ['us-east-1c'])];
  const pvcs = [pvc('data', 'pv-c'), pvc('fresh', 'pv-new'), pvc('new')];
  it.each([
    ['no claims', pod(), false],
    ['a bound claim whose volume is seen', pod(claimVolume('data')), false],
    ['a claim not bound yet', pod(claimVolume('new')), false],
    ['a bound claim whose volume is not seen yet', pod(claimVolume('fresh')), true],
    ['a claim not seen yet', pod(claimVolume('absent')), true],
    [
      "a generic ephemeral volume's claim, made with the pod",
      pod([{ name: 'scratch', ephemeral: {} }]),
      false,
    ],
  ])('%s', (_, p, want) => {
    expect(awaitsVolume(p, { pvcs, pvs })).toBe(want);
  });
});
