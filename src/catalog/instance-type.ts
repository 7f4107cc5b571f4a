/** Instance types with Karpenter's well-known labels, from entries in the shared data format. */

/** One entry of ec2-instance-types.json (data/README.md). */
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

/** What a node of a type has, or leaves to pods: the scheduler's resources (ephemeral storage in MiB). */
export interface Resources {
  cpuMillis: number;
  memoryMiB: number;
  pods: number;
  ephemeralMiB: number;
  nvidiaGpu: number;
  amdGpu: number;
  neuron: number;
  neuronCore: number;
}

/** The root volume Karpenter gives AL2023 and AL2 nodes (and Bottlerocket's data volume): 20Gi. */
export const DEFAULT_EPHEMERAL_GIB = 20;

/**
 * NeuronCores per Neuron device by family (AWS's Inferentia / Trainium specifications): Karpenter's
 * `aws.amazon.com/neuroncore` capacity is devices × cores per device.
 */
const NEURON_CORES_PER_DEVICE: Readonly<Record<string, number>> = {
  inf1: 4,
  inf2: 2,
  trn1: 2,
  trn1n: 2,
  trn2: 8,
  trn2u: 8,
};

function accelerators(
  f: InstanceTypeFacts,
): Pick<Resources, 'nvidiaGpu' | 'amdGpu' | 'neuron' | 'neuronCore'> {
  const neuron = f.allocatable.neuron ?? 0;
  return {
    nvidiaGpu: f.allocatable.nvidiaGpu ?? 0,
    amdGpu: f.gpu?.manufacturer.toLowerCase() === 'amd' ? f.gpu.count : 0,
    neuron,
    neuronCore: neuron * (NEURON_CORES_PER_DEVICE[f.family] ?? 2),
  };
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
  const acc = accelerators(f);
  return {
    name: f.name,
    labels,
    capacity: {
      cpuMillis: f.vcpu * 1000,
      memoryMiB: f.memoryMiB,
      pods: f.allocatable.pods,
      ephemeralMiB: DEFAULT_EPHEMERAL_GIB * 1024,
      ...acc,
    },
    allocatable: {
      cpuMillis: f.allocatable.cpuMillis,
      memoryMiB: f.allocatable.memoryMiB,
      pods: f.allocatable.pods,
      ephemeralMiB: f.allocatable.ephemeralStorageGiB * 1024,
      ...acc,
    },
    onDemandPrice: f.onDemandPriceUSDPerHour,
  };
}
