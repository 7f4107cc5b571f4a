/**
 * What an EC2NodeClass changes about the resources of the nodes it boots, as Karpenter computes them
 * (instancetype/types.go): max pods and pods per core, kube- and system-reserved, hard eviction
 * thresholds, and ephemeral storage from the root volume, the block device mappings or the instance
 * store (RAID0). The catalog's allocatable assumes AL2023 defaults; a shape reworks it per type.
 */
import { cpuMillis as millisOf, parseQuantity } from '../kube/quantity.js';
import { reservedCpuMillis } from './overhead.js';
import { DEFAULT_EPHEMERAL_GIB, LABEL, type InstanceType, type Resources } from './instance-type.js';
import type { Catalog } from './catalog.js';
import { derivedCatalog } from './derived.js';
import { eniLimits } from './eni-limits.js';
import { resolveMaxPods, resolveResourceMap, type InstanceTypeVars } from './kubelet-cel.js';

type ResourceMap = Readonly<Record<string, string>>;

export interface NodeShape {
  /** Equal shapes, equal keys (a shaped catalog is cached by it). */
  readonly key: string;
  /** The class's AMI family as Karpenter reads it (`AL2023`, `Bottlerocket`, `Windows2022`, `Custom`, …). */
  readonly family: string;
  /** A number, or a CEL expression evaluated per type (Karpenter v1.15 NodeClassCEL: kubelet-cel.ts). */
  readonly maxPods?: number | string;
  readonly podsPerCore?: number;
  readonly kubeReserved: ResourceMap;
  readonly systemReserved: ResourceMap;
  readonly evictionHard: ResourceMap;
  /** Ephemeral storage of a node without RAID0 (or of a type without instance store), bytes. */
  readonly ephemeralBytes: number;
  /** instanceStorePolicy RAID0: a type with instance store gets its whole size as ephemeral storage. */
  readonly raid0: boolean;
}

const GIB = 2 ** 30;
const MIB = 2 ** 20;

const isWindows = (family: string): boolean => family.startsWith('Windows');
/** Karpenter's DefaultFamily flags (AL2023, AL2, Custom) against Bottlerocket's and Windows'. */
const usesEniMemoryOverhead = (family: string): boolean => family !== 'Bottlerocket' && !isWindows(family);
const podsPerCoreEnabled = (family: string): boolean => family !== 'Bottlerocket';

/** An eviction signal or reservation: a quantity, or a percentage of `capacity` (rounded up). */
function amountOf(value: string | undefined, capacity: number): number | undefined {
  if (value === undefined) return undefined;
  if (value.endsWith('%')) return Math.ceil((capacity / 100) * Number.parseFloat(value));
  return parseQuantity(value);
}

function nvmeBytes(type: InstanceType): number | undefined {
  const gb = type.labels[LABEL.localNvme];
  // EC2 reports instance store in GB; Karpenter counts it as `<n>G`.
  return gb === undefined ? undefined : Number(gb) * 1e9;
}

/** The type's values for the class's kubelet expressions (buildCELVars), `maxPods` as given. */
export function celVars(type: InstanceType, maxPods: number): InstanceTypeVars {
  const eni = eniLimits(type.name);
  return {
    vcpus: Number(type.labels[LABEL.cpu] ?? type.capacity.cpuMillis / 1000),
    memoryMiB: Number(type.labels[LABEL.memory] ?? type.capacity.memoryMiB),
    defaultEnis: eni?.defaultEnis ?? 0,
    ipsPerEni: eni?.ipsPerEni ?? 0,
    maxPods,
    instanceType: type.name,
  };
}

/** Karpenter's pods(): maxPods (else the family's default: the ENI limit, Windows 110), capped by podsPerCore. */
function podsWith(type: InstanceType, shape: NodeShape, maxPods: number | undefined): number {
  let n = maxPods ?? (isWindows(shape.family) ? 110 : type.capacity.pods);
  const vcpu = type.capacity.cpuMillis / 1000;
  if ((shape.podsPerCore ?? 0) > 0 && podsPerCoreEnabled(shape.family))
    n = Math.min(n, (shape.podsPerCore ?? 0) * vcpu);
  return n;
}

/**
 * The type's max pods under the class: an expression is evaluated with max_pods the default
 * (resolveMaxPods), and its result is then capped as a written maxPods is; one that fails leaves the default.
 */
export function podsOfShape(type: InstanceType, shape: NodeShape): number {
  if (typeof shape.maxPods !== 'string') return podsWith(type, shape, shape.maxPods);
  const resolved = resolveMaxPods(shape.maxPods, celVars(type, podsWith(type, shape, undefined)));
  return podsWith(type, shape, resolved);
}

/** The class's kubeReserved and systemReserved for this type, their expressions evaluated. */
export function reservedFor(type: InstanceType, shape: NodeShape, podCount: number) {
  const vars = () => celVars(type, podCount);
  return {
    kube: resolveResourceMap(shape.kubeReserved, vars),
    sys: resolveResourceMap(shape.systemReserved, vars),
  };
}

/** The type as a node of this class has it: capacity and allocatable reworked, the rest kept. */
export function shapedType(type: InstanceType, shape: NodeShape): InstanceType {
  const base = type.allocatable;
  const vcpu = type.capacity.cpuMillis / 1000;
  const eniPods = type.capacity.pods;
  const podCount = podsOfShape(type, shape);
  const { kube, sys } = reservedFor(type, shape, podCount);
  const hard = shape.evictionHard;
  const cpuMillis =
    base.cpuMillis +
    reservedCpuMillis(vcpu) -
    (millisOf(kube.cpu) ?? reservedCpuMillis(vcpu)) -
    (millisOf(sys.cpu) ?? 0);
  // The catalog's memory is the VM's less 11 MiB × ENI pods + 255 MiB and a 100 MiB eviction threshold.
  const vmBytes = (base.memoryMiB + 11 * eniPods + 255 + 100) * MIB;
  const memPods = usesEniMemoryOverhead(shape.family) ? eniPods : podCount;
  const memoryBytes =
    vmBytes -
    (parseQuantity(kube.memory) ?? (11 * memPods + 255) * MIB) -
    (parseQuantity(sys.memory) ?? 0) -
    (amountOf(hard['memory.available'], vmBytes) ?? 100 * MIB);
  const nvme = shape.raid0 ? nvmeBytes(type) : undefined;
  const ephBytes = nvme ?? shape.ephemeralBytes;
  const allocEph =
    ephBytes -
    (parseQuantity(kube['ephemeral-storage']) ?? GIB) -
    (parseQuantity(sys['ephemeral-storage']) ?? 0) -
    (amountOf(hard['nodefs.available'], ephBytes) ?? Math.ceil(ephBytes / 10));
  const capacity: Resources = { ...type.capacity, pods: podCount, ephemeralMiB: ephBytes / MIB };
  return {
    ...type,
    capacity,
    allocatable: {
      ...base,
      cpuMillis: Math.floor(cpuMillis),
      memoryMiB: Math.floor(memoryBytes / MIB),
      pods: podCount,
      ephemeralMiB: Math.max(0, Math.floor(allocEph / MIB)),
    },
  };
}

const DEFAULT_FAMILIES: ReadonlySet<string> = new Set(['AL2023', 'AL2', 'Custom', '']);

/** The default shape (AL2023 on a 20Gi root volume) changes nothing: the catalog's figures stand. */
export function isDefaultShape(shape: NodeShape): boolean {
  return (
    DEFAULT_FAMILIES.has(shape.family) &&
    shape.maxPods === undefined &&
    shape.podsPerCore === undefined &&
    Object.keys(shape.kubeReserved).length === 0 &&
    Object.keys(shape.systemReserved).length === 0 &&
    Object.keys(shape.evictionHard).length === 0 &&
    shape.ephemeralBytes === DEFAULT_EPHEMERAL_GIB * GIB &&
    !shape.raid0
  );
}

/** The catalog as nodes of a shape see it (the same catalog for the default shape); cached per shape. */
export function shapedCatalog(catalog: Catalog, shape: NodeShape | undefined): Catalog {
  if (shape === undefined || isDefaultShape(shape)) return catalog;
  return derivedCatalog(catalog, `shape:${shape.key}`, () => ({
    types: catalog.types.map((t) => shapedType(t, shape)),
  }));
}
