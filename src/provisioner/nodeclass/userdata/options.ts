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
}
