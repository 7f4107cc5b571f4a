/** Instance types with Karpenter's well-known labels, from entries in the shared data format. */

/** One entry of ec2-instance-types.json (../shared/data/README.md). */
export interface InstanceTypeFacts {
  name: string;
  family: string;
  category: string;
  generation: number;
  size: string;
  arch: string;
  os: string;
  vcpu: number;
  memoryMiB: number;
  hypervisor: string | null;
  cpuManufacturer: string | null;
  networkBandwidthMbps: number | null;
  localNvmeGiB: number | null;
  gpu: { name: string; manufacturer: string; count: number; memoryMiB: number } | null;
  allocatable: {
    cpuMillis: number;
    memoryMiB: number;
    pods: number;
    ephemeralStorageGiB: number;
    nvidiaGpu?: number;
    neuron?: number;
  };
  onDemandPriceUSDPerHour: number | null;
}

export interface Resources {
  cpuMillis: number;
  memoryMiB: number;
  pods: number;
  nvidiaGpu: number;
}

export interface InstanceType {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: Readonly<Resources>;
  readonly allocatable: Readonly<Resources>;
  /** USD per hour, Linux on-demand; null when the type has no published price (it is never offered). */
  readonly onDemandPrice: number | null;
}

export const LABEL = {
  instanceType: 'node.kubernetes.io/instance-type',
  arch: 'kubernetes.io/arch',
  os: 'kubernetes.io/os',
  zone: 'topology.kubernetes.io/zone',
  region: 'topology.kubernetes.io/region',
  hostname: 'kubernetes.io/hostname',
  capacityType: 'karpenter.sh/capacity-type',
  nodePool: 'karpenter.sh/nodepool',
  category: 'karpenter.k8s.aws/instance-category',
  family: 'karpenter.k8s.aws/instance-family',
  generation: 'karpenter.k8s.aws/instance-generation',
  size: 'karpenter.k8s.aws/instance-size',
  cpu: 'karpenter.k8s.aws/instance-cpu',
  memory: 'karpenter.k8s.aws/instance-memory',
  hypervisor: 'karpenter.k8s.aws/instance-hypervisor',
  cpuManufacturer: 'karpenter.k8s.aws/instance-cpu-manufacturer',
  bandwidth: 'karpenter.k8s.aws/instance-network-bandwidth',
  localNvme: 'karpenter.k8s.aws/instance-local-nvme',
  gpuName: 'karpenter.k8s.aws/instance-gpu-name',
  gpuManufacturer: 'karpenter.k8s.aws/instance-gpu-manufacturer',
  gpuCount: 'karpenter.k8s.aws/instance-gpu-count',
  gpuMemory: 'karpenter.k8s.aws/instance-gpu-memory',
} as const;

/** Label keys a node gets from its instance type and offering, so a NodePool need not set them. */
export const WELL_KNOWN_LABELS: ReadonlySet<string> = new Set<string>([
  ...Object.values(LABEL).filter((k) => k !== LABEL.hostname && k !== LABEL.nodePool),
]);

export function toInstanceType(f: InstanceTypeFacts): InstanceType {
  const labels: Record<string, string> = {
    [LABEL.instanceType]: f.name,
    [LABEL.arch]: f.arch,
    [LABEL.os]: f.os,
    [LABEL.category]: f.category,
    [LABEL.family]: f.family,
    [LABEL.generation]: String(f.generation),
    [LABEL.size]: f.size,
    [LABEL.cpu]: String(f.vcpu),
    [LABEL.memory]: String(f.memoryMiB),
  };
  if (f.hypervisor) labels[LABEL.hypervisor] = f.hypervisor;
  if (f.cpuManufacturer) labels[LABEL.cpuManufacturer] = f.cpuManufacturer;
  if (f.networkBandwidthMbps !== null) labels[LABEL.bandwidth] = String(f.networkBandwidthMbps);
  if (f.localNvmeGiB !== null) labels[LABEL.localNvme] = String(f.localNvmeGiB);
  if (f.gpu) {
    labels[LABEL.gpuName] = f.gpu.name.toLowerCase();
    labels[LABEL.gpuManufacturer] = f.gpu.manufacturer.toLowerCase();
    labels[LABEL.gpuCount] = String(f.gpu.count);
    labels[LABEL.gpuMemory] = String(f.gpu.memoryMiB);
  }
  const nvidiaGpu = f.allocatable.nvidiaGpu ?? 0;
  return {
    name: f.name,
    labels,
    capacity: { cpuMillis: f.vcpu * 1000, memoryMiB: f.memoryMiB, pods: f.allocatable.pods, nvidiaGpu },
    allocatable: {
      cpuMillis: f.allocatable.cpuMillis,
      memoryMiB: f.allocatable.memoryMiB,
      pods: f.allocatable.pods,
      nvidiaGpu,
    },
    onDemandPrice: f.onDemandPriceUSDPerHour,
  };
}
