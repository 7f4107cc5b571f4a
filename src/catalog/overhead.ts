/**
 * What pods can request on an EKS node (AL2023 defaults), from raw capacity: the overhead model of
 * data/README.md. Used for instance types described by EC2 rather than the built-in table.
 */

/** kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3–4, 0.25% of the rest. */
export function reservedCpuMillis(vcpu: number): number {
  const tiers: [from: number, to: number, millisPerCore: number][] = [
    [0, 1, 60],
    [1, 2, 10],
    [2, 4, 5],
    [4, Number.POSITIVE_INFINITY, 2.5],
  ];
  let out = 0;
  for (const [from, to, per] of tiers) out += Math.max(0, Math.min(vcpu, to) - from) * per;
  return out;
}

/** ENI-limited pods: maxENIs × (IPv4 addresses per ENI − 1) + 2. */
export function eniMaxPods(maxEnis: number, ipv4PerEni: number): number {
  return maxEnis * (ipv4PerEni - 1) + 2;
}

export function allocatableMemoryMiB(capacityMiB: number, arch: string, maxPods: number): number {
  const base = arch === 'arm64' ? capacityMiB - 64 : capacityMiB;
  const vm = base - Math.ceil(base * 0.075);
  return vm - (11 * maxPods + 255) - 100;
}

export function allocatableCpuMillis(vcpu: number): number {
  return Math.floor(vcpu * 1000 - reservedCpuMillis(vcpu));
}
