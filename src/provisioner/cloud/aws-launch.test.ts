import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { bootstrapLabels, bootstrapTaints, kubeletMaySet, launchGroups } from './aws-launch.js';
import { launchTemplateData, volumeGiB } from './aws-template-data.js';

const amis = [
  { id: 'ami-new-x86', name: 'n', arch: 'amd64', created: '2026-10-02' },
  { id: 'ami-arm', name: 'a', arch: 'arm64', created: '2026-10-01' },
  { id: 'ami-old-x86', name: 'o', arch: 'amd64', created: '2026-09-01' },
];

describe('launch layout', () => {
  it.each([
    ['team', true],
    ['karpenter.sh/nodepool', true],
    ['node-role.kubernetes.io/web', false],
    ['kubernetes.io/arch', false],
    ['example.k8s.io/x', false],
    ['karpenter.k8s.aws/instance-family', false],
    ['karpenter.sh/nodeclaim', false],
  ])('kubelet may set %s: %s', (key, may) => {
    expect(kubeletMaySet(key)).toBe(may);
  });

  it('groups types by newest image of their arch and max pods, in the claim order', () => {
    const groups = launchGroups(
      ['m5.large', 'm6g.large', 'c5.large', 'm5.xlarge', 'x9.none'],
      amis,
      builtinCatalog(),
      {},
    );
    expect(groups.map((g) => [g.ami.id, g.maxPods, g.instanceTypes])).toEqual([
      ['ami-new-x86', 29, ['m5.large', 'c5.large']],
      ['ami-arm', 29, ['m6g.large']],
      ['ami-new-x86', 58, ['m5.xlarge']],
      ['ami-new-x86', 110, ['x9.none']],
    ]);
    expect(launchGroups(['m6g.large'], [amis[0]!], builtinCatalog(), {})).toEqual([]);
    expect(
      launchGroups(['m5.large', 'm5.xlarge'], amis, builtinCatalog(), { kubelet: { maxPods: 50 } }),
    ).toHaveLength(1);
  });

  it("evaluates the class's kubelet expressions per type: the user data never carries an expression (Karpenter v1.15)", () => {
    const groups = launchGroups(['m5.large', 'c5.large', 'm5.xlarge'], amis, builtinCatalog(), {
      kubelet: {
        maxPods: 'vcpus * 8',
        kubeReserved: { cpu: 'max(60, vcpus * 30)', memory: '1Gi' },
        podsPerCore: 20,
      },
    });
    expect(groups.map((g) => [g.maxPods, g.kubelet, g.instanceTypes])).toEqual([
      [
        16,
        { maxPods: 16, kubeReserved: { cpu: '60m', memory: '1Gi' }, podsPerCore: 20 },
        ['m5.large', 'c5.large'],
      ],
      [32, { maxPods: 32, kubeReserved: { cpu: '120m', memory: '1Gi' }, podsPerCore: 20 }, ['m5.xlarge']],
    ]);
  });

  it('registers pool labels and capacity type, taints with start-up taints and unregistered once each', () => {
    const req = {
      claim: 'c',
      nodePool: 'web',
      nodeClass: 'default',
      capacityType: 'spot',
      instanceTypes: [],
      zones: [],
      labels: { team: 'a', 'kubernetes.io/hostname': 'c', 'karpenter.sh/nodeclaim': 'c' },
      taints: [{ key: 'a', effect: 'NoSchedule' as const }],
    };
    expect(bootstrapLabels(req)).toEqual({
      team: 'a',
      'karpenter.sh/nodepool': 'web',
      'karpenter.sh/capacity-type': 'spot',
    });
    expect(
      bootstrapTaints(req, [
        { key: 'a', effect: 'NoSchedule' },
        { key: 'b', effect: 'NoExecute' },
      ]),
    ).toEqual([
      { key: 'a', effect: 'NoSchedule' },
      { key: 'b', effect: 'NoExecute' },
      { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
    ]);
  });

  it('fills the template with the family defaults and the class settings', () => {
    const base = { imageId: 'ami-1', instanceProfile: 'p', securityGroupIds: ['sg-1'], userData: 'x' };
    const al = launchTemplateData({ ...base, family: 'AL2023', spec: {} });
    expect(al.MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      HttpPutResponseHopLimit: 1,
      HttpTokens: 'required',
    });
    expect(al.BlockDeviceMappings).toEqual([
      {
        DeviceName: '/dev/xvda',
        Ebs: { VolumeSize: 20, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
      },
    ]);
    expect(al.SecurityGroupIds).toEqual(['sg-1']);
    expect(al.UserData).toBe(Buffer.from('x').toString('base64'));
    expect(al.Monitoring).toEqual({ Enabled: false });
    const br = launchTemplateData({
      ...base,
      family: 'Bottlerocket',
      spec: {
        associatePublicIPAddress: false,
        detailedMonitoring: true,
        metadataOptions: { httpPutResponseHopLimit: 2 },
      },
    });
    expect(br.BlockDeviceMappings?.map((d) => d.DeviceName)).toEqual(['/dev/xvda', '/dev/xvdb']);
    expect(br.NetworkInterfaces).toEqual([
      { DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: ['sg-1'] },
    ]);
    expect(br.SecurityGroupIds).toBeUndefined();
    expect(br.Monitoring).toEqual({ Enabled: true });
    expect(br.MetadataOptions?.HttpPutResponseHopLimit).toBe(2);
    expect(volumeGiB('100G')).toBe(94);
    expect(volumeGiB('50Gi')).toBe(50);
  });

  // aws/karpenter-provider-aws v1.14.1 launchtemplate.go generateNetworkInterfaces (IPv4),
  // connectionTrackingSpec and blockDeviceMappings.
  it('puts ipPrefixCount and connectionTracking on the primary interface, volumeInitializationRate on EBS', () => {
    const t = launchTemplateData({
      imageId: 'ami-1',
      instanceProfile: 'p',
      securityGroupIds: ['sg-1'],
      userData: '',
      family: 'AL2023',
      spec: {
        ipPrefixCount: 2,
        connectionTracking: { tcpEstablishedTimeout: 3600, udpTimeout: 30 },
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeSize: '100Gi', snapshotID: 'snap-1', volumeInitializationRate: 300 },
          },
        ],
      },
    });
    expect(t.NetworkInterfaces).toEqual([
      {
        DeviceIndex: 0,
        Groups: ['sg-1'],
        Ipv4PrefixCount: 2,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: 3600, UdpTimeout: 30 },
      },
    ]);
    expect(t.SecurityGroupIds).toBeUndefined();
    expect(t.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({
      SnapshotId: 'snap-1',
      VolumeInitializationRate: 300,
    });
  });
});
