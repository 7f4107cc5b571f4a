/** What bootstrap user data is made of: the cluster to join and what the node registers with. */
import type { Taint } from '../../../scheduling/taints.js';

export interface ClusterInfo {
  readonly name: string;
  /** https://… of the API server. */
  readonly endpoint: string;
  /** The cluster CA bundle, base64 (as EKS DescribeCluster gives it). */
  readonly caBundle: string;
  /** The Service CIDR (nodeadm derives the cluster DNS address from it). */
  readonly serviceCidr: string;
  /** `1.31`: picks the AMI an alias names. */
  readonly kubernetesVersion: string;
}

export interface BootstrapOptions {
  readonly cluster: ClusterInfo;
  /** Labels the kubelet registers (NodePool template labels, nodepool, capacity type, Berth's hashes). */
  readonly labels: Readonly<Record<string, string>>;
  /** The NodePool's taints and start-up taints, and karpenter.sh/unregistered. */
  readonly taints: readonly Taint[];
  readonly maxPods: number;
  /** The EC2NodeClass's own spec.userData. */
  readonly userData?: string;
  /** The class's spec.kubelet as written (nodeadm passes it through as kubelet configuration). */
  readonly kubelet?: Readonly<KubeletConfig>;
  /** spec.instanceStorePolicy: `RAID0` puts the instance store under the node's ephemeral storage. */
  readonly instanceStorePolicy?: string;
}

/** EC2NodeClass spec.kubelet (Karpenter v1's KubeletConfiguration). */
export interface KubeletConfig {
  /** A number, or as written a CEL expression (Karpenter v1.15), evaluated per type before any node sees it. */
  readonly maxPods?: number | string;
  readonly podsPerCore?: number;
  readonly clusterDNS?: readonly string[];
  readonly systemReserved?: Readonly<Record<string, string>>;
  readonly kubeReserved?: Readonly<Record<string, string>>;
  readonly evictionHard?: Readonly<Record<string, string>>;
  readonly evictionSoft?: Readonly<Record<string, string>>;
  readonly evictionSoftGracePeriod?: Readonly<Record<string, string>>;
  readonly evictionMaxPodGracePeriod?: number;
  readonly imageGCHighThresholdPercent?: number;
  readonly imageGCLowThresholdPercent?: number;
  readonly cpuCFSQuota?: boolean;
}

/**
 * The cluster DNS address a node is told: spec.kubelet.clusterDNS when set, else the tenth address of
 * the Service CIDR, where EKS puts kube-dns (10.100.0.10, 172.20.0.10; `::a` for IPv6).
 */
export function clusterDnsIp(o: Pick<BootstrapOptions, 'cluster' | 'kubelet'>): string | undefined {
  const given = o.kubelet?.clusterDNS?.[0];
  if (given !== undefined) return given;
  const base = o.cluster.serviceCidr.split('/')[0] ?? '';
  if (base.includes(':')) return `${base.replace(/::?$/, '')}::a`;
  const octets = base.split('.').map(Number);
  if (octets.length !== 4 || octets.some((n) => !Number.isInteger(n))) return undefined;
  return [...octets.slice(0, 3), (octets[3] ?? 0) + 10].join('.');
}
