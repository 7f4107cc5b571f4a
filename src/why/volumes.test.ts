import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { claimsOf, volumeZones } from './volumes.js';

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
      "a generic ephemeral volume's claim, made with the pod",
      pod([{ name: 'scratch', ephemeral: {} }]),
      [{ claim: 'db-0-scratch' }],
      undefined,
    ],
  ])('%s', (_, p, claims, zones) => {
    const pvcs = [pvc('new'), pvc('data', 'pv-c'), pvc('logs', 'pv-bc')];
    const got = claimsOf(p, pvcs, pvs);
    expect(got).toEqual(claims);
    expect(volumeZones(got)).toEqual(zones);
  });
});
