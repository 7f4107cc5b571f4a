/**
 * The launch template a node of a class boots from (pure): image, instance profile, security groups,
 * user data, block devices (the family's defaults unless the class gives its own), metadata options
 * (Karpenter's defaults: IMDSv2 required, hop limit 1), monitoring and public addressing.
 */
import type { LaunchTemplateBlockDeviceMappingRequest, RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import { parseQuantity } from '../../kube/quantity.js';
import type { AmiFamily, BlockDeviceMapping, MetadataOptions, NodeClassSpec } from '../nodeclass/spec.js';
import { userDataFor } from '../nodeclass/userdata/index.js';
import type { Taint } from '../../scheduling/taints.js';
import type { ReadyClass } from './aws-classes.js';
import type { KubeletConfig } from '../nodeclass/userdata/options.js';

const DEFAULT_DEVICES: Record<AmiFamily, readonly BlockDeviceMapping[]> = {
  AL2023: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '20Gi', volumeType: 'gp3', encrypted: true } }],
  Bottlerocket: [
    { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true } },
    { deviceName: '/dev/xvdb', ebs: { volumeSize: '20Gi', volumeType: 'gp3', encrypted: true } },
  ],
  Custom: [],
};

/** `20Gi` → 20 (GiB, rounded up), as EBS takes it. */
export function volumeGiB(size: string | undefined): number | undefined {
  const bytes = parseQuantity(size);
  return bytes === undefined ? undefined : Math.ceil(bytes / 2 ** 30);
}

function devices(
  family: AmiFamily,
  given: readonly BlockDeviceMapping[] | undefined,
): LaunchTemplateBlockDeviceMappingRequest[] {
  return (given ?? DEFAULT_DEVICES[family]).map((d) => {
    const e = d.ebs;
    const size = volumeGiB(e?.volumeSize);
    return {
      ...(d.deviceName !== undefined ? { DeviceName: d.deviceName } : {}),
      ...(e
        ? {
            Ebs: {
              ...(size !== undefined ? { VolumeSize: size } : {}),
              ...(e.volumeType !== undefined ? { VolumeType: e.volumeType as 'gp3' } : {}),
              ...(e.iops !== undefined ? { Iops: e.iops } : {}),
              ...(e.throughput !== undefined ? { Throughput: e.throughput } : {}),
              ...(e.encrypted !== undefined ? { Encrypted: e.encrypted } : {}),
              ...(e.kmsKeyID !== undefined ? { KmsKeyId: e.kmsKeyID } : {}),
              ...(e.snapshotID !== undefined ? { SnapshotId: e.snapshotID } : {}),
              ...(e.volumeInitializationRate !== undefined
                ? { VolumeInitializationRate: e.volumeInitializationRate }
                : {}),
              DeleteOnTermination: e.deleteOnTermination ?? true,
            },
          }
        : {}),
    };
  });
}

export function metadataOptions(
  m: MetadataOptions | undefined,
): RequestLaunchTemplateData['MetadataOptions'] {
  return {
    HttpEndpoint: (m?.httpEndpoint ?? 'enabled') as 'enabled',
    HttpProtocolIpv6: (m?.httpProtocolIPv6 ?? 'disabled') as 'disabled',
    HttpPutResponseHopLimit: m?.httpPutResponseHopLimit ?? 1,
    HttpTokens: (m?.httpTokens ?? 'required') as 'required',
  };
}

export interface TemplateInput {
  readonly family: AmiFamily;
  readonly spec: NodeClassSpec;
  readonly imageId: string;
  readonly instanceProfile: string;
  readonly securityGroupIds: readonly string[];
  /** Plain text; base64-encoded here. */
  readonly userData: string;
}

/**
 * The primary network interface, as Karpenter's launch template writes it (generateNetworkInterfaces,
 * IPv4): its security groups, and public addressing, IPv4 prefixes and connection tracking when the
 * class sets them; none (security groups on the template) when it sets none of these.
 */
function networkInterfaces(
  spec: NodeClassSpec,
  groups: string[],
): Pick<RequestLaunchTemplateData, 'NetworkInterfaces' | 'SecurityGroupIds'> {
  const publicIp = spec.associatePublicIPAddress;
  const ct = spec.connectionTracking;
  const tracking =
    ct && (ct.tcpEstablishedTimeout ?? ct.udpStreamTimeout ?? ct.udpTimeout) !== undefined
      ? {
          ...(ct.tcpEstablishedTimeout !== undefined
            ? { TcpEstablishedTimeout: ct.tcpEstablishedTimeout }
            : {}),
          ...(ct.udpStreamTimeout !== undefined ? { UdpStreamTimeout: ct.udpStreamTimeout } : {}),
          ...(ct.udpTimeout !== undefined ? { UdpTimeout: ct.udpTimeout } : {}),
        }
      : undefined;
  if (publicIp === undefined && spec.ipPrefixCount === undefined && tracking === undefined)
    return { SecurityGroupIds: groups };
  return {
    NetworkInterfaces: [
      {
        DeviceIndex: 0,
        Groups: groups,
        ...(publicIp !== undefined ? { AssociatePublicIpAddress: publicIp } : {}),
        ...(spec.ipPrefixCount !== undefined ? { Ipv4PrefixCount: spec.ipPrefixCount } : {}),
        ...(tracking ? { ConnectionTrackingSpecification: tracking } : {}),
      },
    ],
  };
}

export function launchTemplateData(t: TemplateInput): RequestLaunchTemplateData {
  const groups = [...t.securityGroupIds];
  return {
    ImageId: t.imageId,
    IamInstanceProfile: { Name: t.instanceProfile },
    ...networkInterfaces(t.spec, groups),
    BlockDeviceMappings: devices(t.family, t.spec.blockDeviceMappings),
    MetadataOptions: metadataOptions(t.spec.metadataOptions),
    Monitoring: { Enabled: t.spec.detailedMonitoring ?? false },
    ...(t.userData !== '' ? { UserData: Buffer.from(t.userData).toString('base64') } : {}),
  };
}

export interface NodeShape {
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly maxPods: number;
  readonly imageId: string;
  /** spec.kubelet with its expressions evaluated for the node's types (absent: the class's as written). */
  readonly kubelet?: KubeletConfig;
}

/** The template a node of this shape boots from, user data included: the launch path and `nodeclass describe`. */
export function templateFor(
  rc: Pick<ReadyClass, 'spec' | 'resolution' | 'cluster'>,
  shape: NodeShape,
): RequestLaunchTemplateData {
  const userData = userDataFor(rc.resolution.family, {
    cluster: rc.cluster,
    labels: shape.labels,
    taints: shape.taints,
    maxPods: shape.maxPods,
    ...(rc.spec.userData !== undefined ? { userData: rc.spec.userData } : {}),
    ...((shape.kubelet ?? rc.spec.kubelet) !== undefined
      ? { kubelet: shape.kubelet ?? rc.spec.kubelet }
      : {}),
    ...(rc.spec.instanceStorePolicy !== undefined
      ? { instanceStorePolicy: rc.spec.instanceStorePolicy }
      : {}),
  });
  return launchTemplateData({
    family: rc.resolution.family,
    spec: rc.spec,
    imageId: shape.imageId,
    instanceProfile: rc.resolution.instanceProfile ?? '',
    securityGroupIds: rc.resolution.securityGroups.map((s) => s.id),
    userData,
  });
}
