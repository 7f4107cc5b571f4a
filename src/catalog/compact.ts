/** The project's compact catalog form: one row per instance type, columns named once. */
import type { InstanceTypeFacts } from './instance-type.js';

export const COLUMNS = [
  'name',
  'family',
  'category',
  'generation',
  'size',
  'arch',
  'os',
  'vcpu',
  'memoryMiB',
  'hypervisor',
  'cpuManufacturer',
  'networkBandwidthMbps',
  'localNvmeGiB',
  'gpuName',
  'gpuManufacturer',
  'gpuCount',
  'gpuMemoryMiB',
  'allocCpuMillis',
  'allocMemoryMiB',
  'allocPods',
  'allocEphemeralGiB',
  'allocNvidiaGpu',
  'allocNeuron',
  'onDemandPrice',
] as const;

export type Row = (string | number | null)[];

export interface CompactCatalog {
  source: string;
  region: string;
  columns: readonly string[];
  rows: Row[];
}

export function toRow(f: InstanceTypeFacts): Row {
  const a = f.allocatable;
  return [
    f.name,
    f.family,
    f.category,
    f.generation,
    f.size,
    f.arch,
    f.os,
    f.vcpu,
    f.memoryMiB,
    f.hypervisor,
    f.cpuManufacturer,
    f.networkBandwidthMbps,
    f.localNvmeGiB,
    f.gpu?.name ?? null,
    f.gpu?.manufacturer ?? null,
    f.gpu?.count ?? null,
    f.gpu?.memoryMiB ?? null,
    a.cpuMillis,
    a.memoryMiB,
    a.pods,
    a.ephemeralStorageGiB,
    a.nvidiaGpu ?? null,
    a.neuron ?? null,
    f.onDemandPriceUSDPerHour,
  ];
}

export function fromRow(row: Row): InstanceTypeFacts {
  const c = (name: (typeof COLUMNS)[number]): string | number | null => row[COLUMNS.indexOf(name)] ?? null;
  const s = (name: (typeof COLUMNS)[number]): string => String(c(name));
  const n = (name: (typeof COLUMNS)[number]): number => Number(c(name));
  const sOrNull = (name: (typeof COLUMNS)[number]): string | null => (c(name) === null ? null : s(name));
  const nOrNull = (name: (typeof COLUMNS)[number]): number | null => (c(name) === null ? null : n(name));
  const gpuName = sOrNull('gpuName');
  const allocatable: InstanceTypeFacts['allocatable'] = {
    cpuMillis: n('allocCpuMillis'),
    memoryMiB: n('allocMemoryMiB'),
    pods: n('allocPods'),
    ephemeralStorageGiB: n('allocEphemeralGiB'),
  };
  const nvidia = nOrNull('allocNvidiaGpu');
  const neuron = nOrNull('allocNeuron');
  if (nvidia !== null) allocatable.nvidiaGpu = nvidia;
  if (neuron !== null) allocatable.neuron = neuron;
  return {
    name: s('name'),
    family: s('family'),
    category: s('category'),
    generation: n('generation'),
    size: s('size'),
    arch: s('arch'),
    os: s('os'),
    vcpu: n('vcpu'),
    memoryMiB: n('memoryMiB'),
    hypervisor: sOrNull('hypervisor'),
    cpuManufacturer: sOrNull('cpuManufacturer'),
    networkBandwidthMbps: nOrNull('networkBandwidthMbps'),
    localNvmeGiB: nOrNull('localNvmeGiB'),
    gpu:
      gpuName === null
        ? null
        : {
            name: gpuName,
            manufacturer: s('gpuManufacturer'),
            count: n('gpuCount'),
            memoryMiB: n('gpuMemoryMiB'),
          },
    allocatable,
    onDemandPriceUSDPerHour: nOrNull('onDemandPrice'),
  };
}
