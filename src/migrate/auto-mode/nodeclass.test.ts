import { describe, expect, it } from 'vitest';
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import { validateAutoNodeClass } from '../../policies/schema/validate.js';
import { autoNodeClass } from './nodeclass.js';

const base = {
  role: 'KarpenterNodeRole-prod',
  amiSelectorTerms: [{ alias: 'bottlerocket@latest' }],
  subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }, { id: 'subnet-0abc' }],
  securityGroupSelectorTerms: [
    { tags: { 'karpenter.sh/discovery': 'prod' } },
    { name: 'eks-nodes' },
    { id: 'sg-0123' },
  ],
};
const cls = (spec: Record<string, unknown>, name = 'default'): EC2NodeClass => ({
  apiVersion: 'karpenter.k8s.aws/v1',
  kind: 'EC2NodeClass',
  metadata: { name },
  spec: { ...base, ...spec },
});
const said = (spec: Record<string, unknown>) =>
  autoNodeClass(cls(spec)).findings.map((f) => `${f.severity} ${f.field ?? ''}: ${f.what}`);

describe('an EC2NodeClass as an Auto Mode NodeClass', () => {
  it('carries the role, the selector terms and the tags, under its own name beside the old', () => {
    const { nodeClass, findings } = autoNodeClass(
      cls({ tags: { team: 'shop', 'karpenter.sh/nodepool': 'x' } }),
    );
    expect(nodeClass).toEqual({
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'NodeClass',
      metadata: { name: 'default-auto', annotations: { 'berth.dev/migrated-from': 'EC2NodeClass/default' } },
      spec: {
        role: 'KarpenterNodeRole-prod',
        subnetSelectorTerms: base.subnetSelectorTerms,
        securityGroupSelectorTerms: base.securityGroupSelectorTerms,
        tags: { team: 'shop' },
      },
    });
    expect(findings.map((f) => f.what)).toEqual(['Auto Mode sets this tag itself']);
    expect(validateAutoNodeClass(nodeClass)).toEqual([]);
  });

  it('takes an instance profile in place of a role, and the capacity reservation terms', () => {
    const { nodeClass } = autoNodeClass(
      cls({
        role: undefined,
        instanceProfile: 'prod-nodes',
        capacityReservationSelectorTerms: [{ id: 'cr-0a1b' }],
      }),
    );
    expect(nodeClass.spec.instanceProfile).toBe('prod-nodes');
    expect(nodeClass.spec.role).toBeUndefined();
    expect(nodeClass.spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0a1b' }]);
  });

  it.each([
    [
      'AL2023 root volume',
      {
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: {
              volumeSize: '100Gi',
              volumeType: 'gp3',
              iops: 4000,
              throughput: 250,
              kmsKeyID: 'alias/nodes',
            },
          },
        ],
      },
      { size: '100Gi', iops: 4000, throughput: 250, kmsKeyID: 'alias/nodes' },
    ],
    [
      'a volume flagged rootVolume',
      { blockDeviceMappings: [{ deviceName: '/dev/sdf', rootVolume: true, ebs: { volumeSize: '80Gi' } }] },
      { size: '80Gi' },
    ],
    [
      "Bottlerocket's data volume",
      {
        blockDeviceMappings: [
          { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi' } },
          { deviceName: '/dev/xvdb', ebs: { volumeSize: '60Gi' } },
        ],
      },
      { size: '60Gi' },
    ],
  ])('sizes ephemeralStorage from %s', (_name, spec, want) => {
    expect(autoNodeClass(cls(spec)).nodeClass.spec.ephemeralStorage).toEqual(want);
  });

  it.each([
    [{ amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] }, []],
    [
      { amiSelectorTerms: [{ alias: 'al2023@latest' }] },
      ["note spec.amiSelectorTerms: al2023@latest becomes Auto Mode's Bottlerocket"],
    ],
    [
      { amiSelectorTerms: [{ alias: 'al2023@v20240807' }] },
      ['decide spec.amiSelectorTerms: the pinned image al2023@v20240807 does not carry over'],
    ],
    [
      { amiSelectorTerms: [{ id: 'ami-0123' }] },
      [
        'decide spec.amiSelectorTerms: a custom image (by id, name, tags or SSM parameter) does not carry over: Auto Mode boots its own Bottlerocket',
      ],
    ],
    [
      { amiSelectorTerms: [{ alias: 'windows2022@latest' }], amiFamily: 'Windows2022' },
      ['decide spec.amiFamily: Auto Mode runs Linux only'],
    ],
    [{ userData: '#!/bin/bash\necho hi' }, ['decide spec.userData: Auto Mode takes no user data']],
    [
      { kubelet: { maxPods: 200, systemReserved: { cpu: '100m' } } },
      [
        'decide spec.kubelet.maxPods: kubelet settings do not carry over',
        'decide spec.kubelet.systemReserved: kubelet settings do not carry over',
      ],
    ],
    [{ metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 } }, []],
    [
      { metadataOptions: { httpPutResponseHopLimit: 2 } },
      ['decide spec.metadataOptions: Auto Mode enforces IMDSv2 with a hop limit of 1'],
    ],
    [
      { instanceStorePolicy: 'RAID0' },
      ['note spec.instanceStorePolicy: Auto Mode formats local NVMe itself (RAID 0 over several drives)'],
    ],
    [
      {
        blockDeviceMappings: [
          { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi' } },
          { deviceName: '/dev/xvdb', ebs: { volumeSize: '60Gi', volumeType: 'io2', snapshotID: 'snap-1' } },
          { deviceName: '/dev/xvdc', ebs: { volumeSize: '500Gi' } },
        ],
      },
      [
        'decide spec.blockDeviceMappings[1].ebs.snapshotID: Auto Mode volumes start empty',
        "note spec.blockDeviceMappings[0]: Bottlerocket's OS volume: Auto Mode sizes its own",
        'decide spec.blockDeviceMappings[2]: /dev/xvdc is not attached: Auto Mode nodes have one ephemeral volume',
        'note spec.blockDeviceMappings[1].ebs.volumeType: io2 becomes gp3',
      ],
    ],
    [
      {
        detailedMonitoring: true,
        associatePublicIPAddress: true,
        ipPrefixCount: 2,
        context: 'c',
        placementGroupSelector: { name: 'pg' },
        networkInterfaces: [{}],
        cpuOptions: {},
        connectionTracking: {},
      },
      [
        'decide spec.detailedMonitoring: no Auto Mode equivalent',
        'decide spec.associatePublicIPAddress: no Auto Mode equivalent',
        'decide spec.ipPrefixCount: no Auto Mode equivalent',
        'decide spec.connectionTracking: no Auto Mode equivalent',
        'decide spec.context: no Auto Mode equivalent',
        'decide spec.placementGroupSelector: no Auto Mode equivalent',
        'decide spec.networkInterfaces: no Auto Mode equivalent',
        'decide spec.cpuOptions: no Auto Mode equivalent',
      ],
    ],
  ])('%j says %j', (spec, want) => {
    expect(said(spec).sort()).toEqual([...want].sort());
  });
});

describe("Auto Mode's NodeClass schema", () => {
  const valid = {
    apiVersion: 'eks.amazonaws.com/v1',
    kind: 'NodeClass',
    metadata: { name: 'prod' },
    spec: { role: 'r' },
  };
  it.each([
    [
      { ...valid, spec: { role: 'r', ephemeralStorage: { size: '80Gi', iops: 20000 } } },
      'spec.ephemeralStorage.iops: must be <= 16000',
    ],
    [
      { ...valid, spec: { role: 'r', ephemeralStorage: { size: '80GB' } } },
      'spec.ephemeralStorage.size: must match pattern "^[0-9]+(Gi|G|Ti|T)$"',
    ],
    [
      { ...valid, spec: { role: 'r', instanceProfile: 'p' } },
      'spec: set only one of role and instanceProfile',
    ],
    [
      { ...valid, metadata: { name: 'default' } },
      'metadata.name: Auto Mode keeps the name default for its own NodeClass',
    ],
    [{ ...valid, spec: { role: 'r', userData: 'x' } }, 'spec.userData: unknown field'],
    [
      { ...valid, spec: { role: 'r', snatPolicy: 'Always' } },
      'spec.snatPolicy: must be one of: Random, Disabled',
    ],
  ])('refuses %j', (obj, want) => {
    expect(validateAutoNodeClass(obj).map((i) => `${i.path}: ${i.message}`)).toContain(want);
  });
  it('accepts every documented field', () => {
    const spec = {
      role: 'r',
      subnetSelectorTerms: [{ tags: { a: 'b' } }, { id: 'subnet-0a' }],
      securityGroupSelectorTerms: [{ name: 'x' }],
      podSubnetSelectorTerms: [{ id: 'subnet-0b' }],
      podSecurityGroupSelectorTerms: [{ id: 'sg-0c' }],
      snatPolicy: 'Disabled',
      networkPolicy: 'DefaultDeny',
      networkPolicyEventLogs: 'Enabled',
      ephemeralStorage: { size: '160Gi', iops: 3000, throughput: 125, kmsKeyID: 'alias/k' },
      advancedNetworking: { httpsProxy: 'http://192.0.2.4:3128', noProxy: ['localhost'] },
      certificateBundles: [{ name: 'ca', data: 'LS0t' }],
      advancedSecurity: { fips: true },
      capacityReservationSelectorTerms: [{ id: 'cr-0a' }],
      tags: { team: 'x' },
    };
    expect(validateAutoNodeClass({ ...valid, spec })).toEqual([]);
  });
});
