/**
 * The EC2NodeClass (karpenter.k8s.aws/v1) fields Berth reads to launch a node, typed, and the status
 * it writes once they are resolved (the shape Karpenter writes, so either can read the other's).
 */
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import type { Reservation } from '../../scheduling/reservations.js';
import type { KubeletConfig } from './userdata/options.js';

export interface SelectorTerm {
  readonly tags?: Readonly<Record<string, string>>;
  readonly id?: string;
  readonly name?: string;
  readonly owner?: string;
  readonly alias?: string;
  /** amiSelectorTerms: the name or ARN of an SSM parameter holding the image id. */
  readonly ssmParameter?: string;
}

export interface BlockDeviceMapping {
  readonly deviceName?: string;
  readonly rootVolume?: boolean;
  readonly ebs?: {
    readonly volumeSize?: string;
    readonly volumeType?: string;
    readonly iops?: number;
    readonly throughput?: number;
    readonly encrypted?: boolean;
    readonly kmsKeyID?: string;
    readonly deleteOnTermination?: boolean;
    readonly snapshotID?: string;
    /** MiB/s at which a volume created from a snapshot is initialized (EBS provisioned rate). */
    readonly volumeInitializationRate?: number;
  };
}

export interface MetadataOptions {
  readonly httpEndpoint?: string;
  readonly httpProtocolIPv6?: string;
  readonly httpPutResponseHopLimit?: number;
  readonly httpTokens?: string;
}

export interface NodeClassSpec {
  readonly amiFamily?: string;
  readonly amiSelectorTerms?: readonly SelectorTerm[];
  readonly subnetSelectorTerms?: readonly SelectorTerm[];
  readonly securityGroupSelectorTerms?: readonly SelectorTerm[];
  readonly role?: string;
  readonly instanceProfile?: string;
  readonly userData?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly blockDeviceMappings?: readonly BlockDeviceMapping[];
  readonly metadataOptions?: MetadataOptions;
  readonly detailedMonitoring?: boolean;
  readonly associatePublicIPAddress?: boolean;
  readonly kubelet?: KubeletConfig;
  readonly instanceStorePolicy?: string;
  readonly capacityReservationSelectorTerms?: readonly unknown[];
  /** IPv4 prefixes assigned to the primary network interface. */
  readonly ipPrefixCount?: number;
  /** Idle connection tracking timeouts of the network interfaces, in seconds. */
  readonly connectionTracking?: {
    readonly tcpEstablishedTimeout?: number;
    readonly udpStreamTimeout?: number;
    readonly udpTimeout?: number;
  };
  /** EC2's reserved `Context` of the CreateFleet request. */
  readonly context?: string;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime?: string;
}

export interface ResolvedSubnet {
  readonly id: string;
  readonly zone: string;
  /** Free addresses (a launch picks the freest subnet of a zone). */
  readonly freeIps: number;
}
export interface ResolvedSecurityGroup {
  readonly id: string;
  readonly name: string;
}
export interface ResolvedAmi {
  readonly id: string;
  readonly name: string;
  /** `amd64` or `arm64` (kubernetes.io/arch). */
  readonly arch: string;
  readonly created: string;
  /** From an alias: the instance types it boots (absent for images chosen by id, name or tags: any). */
  readonly variant?: AmiVariant;
}

export type AmiVariant = 'standard' | 'nvidia' | 'neuron';

/** What each variant's image is for, as Karpenter's Variant.Requirements() writes it in the status. */
const VARIANT_REQUIREMENTS: Readonly<Record<AmiVariant, readonly Record<string, unknown>[]>> = {
  standard: [
    { key: 'karpenter.k8s.aws/instance-accelerator-count', operator: 'DoesNotExist' },
    { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'DoesNotExist' },
  ],
  nvidia: [{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Exists' }],
  neuron: [{ key: 'karpenter.k8s.aws/instance-accelerator-count', operator: 'Exists' }],
};

/** What a class resolves to: ids the launch uses, and the conditions that say whether it can. */
export interface Resolution {
  readonly name: string;
  readonly family: AmiFamily;
  readonly subnets: readonly ResolvedSubnet[];
  readonly securityGroups: readonly ResolvedSecurityGroup[];
  readonly amis: readonly ResolvedAmi[];
  readonly instanceProfile: string | undefined;
  /** The capacity reservations its capacityReservationSelectorTerms select (none when it has none). */
  readonly capacityReservations?: readonly Reservation[];
  readonly conditions: readonly Condition[];
}

export type AmiFamily = 'AL2023' | 'Bottlerocket' | 'Custom';

/** The families Berth bootstraps; AL2 and Windows classes are reported as not supported. */
export const FAMILIES: readonly AmiFamily[] = ['AL2023', 'Bottlerocket', 'Custom'];

export function specOf(cls: EC2NodeClass): NodeClassSpec {
  return cls.spec ?? {};
}

/**
 * The class's AMI family as Karpenter reads it (EC2NodeClass.AMIFamily()): spec.amiFamily as written
 * when set (`Custom` with an alias: the alias picks the image, the user data passes through as it is),
 * else the family its alias names (`al2023@latest` → AL2023).
 */
export function familyName(spec: NodeClassSpec): string {
  if (spec.amiFamily !== undefined) return spec.amiFamily;
  const alias = spec.amiSelectorTerms?.find((t) => t.alias !== undefined)?.alias;
  if (alias !== undefined) {
    const family = alias.split('@')[0]?.toLowerCase();
    if (family === 'al2023') return 'AL2023';
    if (family === 'bottlerocket') return 'Bottlerocket';
    return family ?? '';
  }
  return '';
}

export function isReady(r: Pick<Resolution, 'conditions'>): boolean {
  return r.conditions.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Ready's message when it is False (the first failing condition's), for Events and errors. */
export function notReadyMessage(r: Pick<Resolution, 'conditions'>): string {
  const bad = r.conditions.find((c) => c.type !== 'Ready' && c.status === 'False');
  return bad ? `${bad.reason}: ${bad.message}` : 'not resolved yet';
}

/** The class status as written to the cluster (Karpenter's shape: AMIs carry their arch as a requirement). */
export function statusOf(r: Resolution, now: Date, previous?: readonly Condition[]): Record<string, unknown> {
  return {
    subnets: r.subnets.map((s) => ({ id: s.id, zone: s.zone })),
    securityGroups: r.securityGroups.map((g) => ({ id: g.id, name: g.name })),
    amis: r.amis.map((a) => ({
      id: a.id,
      name: a.name,
      requirements: [
        { key: 'kubernetes.io/arch', operator: 'In', values: [a.arch] },
        ...(a.variant !== undefined ? VARIANT_REQUIREMENTS[a.variant] : []),
      ],
    })),
    ...(r.instanceProfile !== undefined ? { instanceProfile: r.instanceProfile } : {}),
    ...(r.capacityReservations !== undefined && r.capacityReservations.length > 0
      ? { capacityReservations: r.capacityReservations.map(reservationStatus) }
      : {}),
    conditions: r.conditions.map((c) => {
      const before = previous?.find((p) => p.type === c.type);
      const same = before?.status === c.status && before.reason === c.reason;
      return { ...c, lastTransitionTime: same ? before.lastTransitionTime : now.toISOString() };
    }),
  };
}

/**
 * A reservation as the class status holds it (Karpenter's fields, and `availableInstanceCount`, which
 * Berth adds so that `berth plan` on the class reads how full it is).
 */
function reservationStatus(r: Reservation): Record<string, unknown> {
  return {
    id: r.id,
    instanceType: r.instanceType,
    availabilityZone: r.zone,
    reservationType: r.reservationType,
    interruptible: r.interruptible,
    state: r.state,
    ...(r.instanceMatchCriteria !== undefined ? { instanceMatchCriteria: r.instanceMatchCriteria } : {}),
    ...(r.ownerID !== undefined ? { ownerID: r.ownerID } : {}),
    ...(r.endTime !== undefined ? { endTime: r.endTime } : {}),
    ...(r.available !== undefined ? { availableInstanceCount: r.available } : {}),
  };
}
