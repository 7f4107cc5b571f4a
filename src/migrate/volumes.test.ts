import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { autoModeVolumeFindings, claimsOf, storageOf, zoneVolumeFindings } from './volumes.js';

const k = (o: Record<string, unknown>) => o as unknown as KubeObject;
const sc = (name: string, provisioner: string, isDefault = false) =>
  k({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    provisioner,
  });
const pvc = (name: string, storageClassName?: string, volumeName?: string) =>
  k({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'data' },
    spec: { ...(storageClassName ? { storageClassName } : {}), ...(volumeName ? { volumeName } : {}) },
  });
const pv = (name: string, zone: string) =>
  k({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: [zone] }] },
          ],
        },
      },
    },
  });
const deployment = (claim: string) =>
  k({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'data' },
    spec: {
      template: {
        spec: {
          containers: [{ name: 'c', image: 'i' }],
          volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }],
        },
      },
    },
  });
const statefulSet = (storageClassName?: string) =>
  k({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'data' },
    spec: {
      template: { spec: { containers: [{ name: 'c', image: 'i' }] } },
      volumeClaimTemplates: [
        { metadata: { name: 'pgdata' }, spec: storageClassName ? { storageClassName } : {} },
      ],
    },
  });
const CLASSES = [
  sc('gp3', 'ebs.csi.aws.com', true),
  sc('auto', 'ebs.csi.eks.amazonaws.com'),
  sc('efs', 'efs.csi.aws.com'),
  sc('intree', 'kubernetes.io/aws-ebs'),
];

describe('volumes a move to Auto Mode takes along (AWS: ebs.csi.aws.com volumes cannot mount on Auto Mode nodes)', () => {
  it.each([
    ['a StatefulSet on the EBS CSI driver', statefulSet('gp3'), [], ['decide']],
    ['a StatefulSet on the default class (the EBS CSI driver)', statefulSet(), [], ['decide']],
    ['a claim of the in-tree EBS plugin', deployment('old'), [pvc('old', 'intree')], ['decide']],
    ['a claim Auto Mode made', deployment('new'), [pvc('new', 'auto')], []],
    ['a claim on EFS', deployment('shared'), [pvc('shared', 'efs')], ['note']],
    ['a claim the input does not have', deployment('missing'), [], ['decide']],
  ] as const)('%s', (_what, obj, claims, want) => {
    const found = autoModeVolumeFindings(obj, storageOf([...CLASSES, ...claims]));
    expect(found.map((f) => f.severity)).toEqual(want);
  });

  it('names the claim, its class and provisioner, and the ways across', () => {
    const [f] = autoModeVolumeFindings(statefulSet('gp3'), storageOf(CLASSES));
    expect(f).toMatchObject({ object: 'StatefulSet/data/db', field: 'spec.volumeClaimTemplates[0]' });
    expect(f?.what).toContain('PersistentVolumeClaim pgdata (StorageClass gp3, provisioner ebs.csi.aws.com)');
    expect(f?.instead).toContain('VolumeSnapshot');
    expect(f?.instead).toContain("keep it on Karpenter's nodes");
  });
});

describe('volumes a move to NodePools takes along: EBS volumes are zonal', () => {
  const storage = storageOf([...CLASSES, pvc('bound', 'gp3', 'pv-1'), pv('pv-1', 'us-east-1c')]);
  it('reads the zone of the bound volume', () => {
    expect(claimsOf(deployment('bound'), storage)[0]?.zone).toBe('us-east-1c');
  });
  it.each([
    ['a pool in the volume’s zone', ['us-east-1a', 'us-east-1c'], 0],
    ['a pool without it', ['us-east-1a', 'us-east-1b'], 1],
    ['a pool that names no zone', undefined, 0],
  ] as const)('%s', (_what, zones, n) => {
    expect(zoneVolumeFindings(deployment('bound'), storage, zones)).toHaveLength(n);
  });
});
