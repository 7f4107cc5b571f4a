/**
 * The node shape an EC2NodeClass gives its nodes, read from its spec as Karpenter reads it: the AMI
 * family (spec.amiFamily, else the alias's), spec.kubelet's pod limits, reservations and hard eviction
 * thresholds, and where ephemeral storage comes from (instanceStorePolicy, blockDeviceMappings, the
 * family's default volume).
 */
import { canonicalJson } from '../util/canonical.js';
import { parseQuantity } from '../kube/quantity.js';
import { DEFAULT_EPHEMERAL_GIB } from '../catalog/instance-type.js';
import type { NodeShape } from '../catalog/node-shape.js';

interface Bdm {
  deviceName?: string;
  rootVolume?: boolean;
  ebs?: { volumeSize?: string };
}

interface KubeletSpec {
  /** A number, or since Karpenter v1.15 a CEL expression per instance type. */
  maxPods?: number | string;
  podsPerCore?: number;
  kubeReserved?: Record<string, string>;
  systemReserved?: Record<string, string>;
  evictionHard?: Record<string, string>;
}

interface ShapeSpec {
  amiFamily?: string;
  amiSelectorTerms?: { alias?: string }[];
  kubelet?: KubeletSpec;
  blockDeviceMappings?: Bdm[];
  instanceStorePolicy?: string;
}

const GIB = 2 ** 30;
const ALIAS_FAMILIES: Readonly<Record<string, string>> = {
  al2023: 'AL2023',
  al2: 'AL2',
  bottlerocket: 'Bottlerocket',
  windows2019: 'Windows2019',
  windows2022: 'Windows2022',
  windows2025: 'Windows2025',
};

/** EC2NodeClass.AMIFamily(): spec.amiFamily, else the alias's family, else Custom. */
export function amiFamilyOf(spec: ShapeSpec | undefined): string {
  if (spec?.amiFamily !== undefined) return spec.amiFamily;
  const alias = spec?.amiSelectorTerms?.find((t) => t.alias !== undefined)?.alias;
  if (alias === undefined) return 'Custom';
  const name = alias.split('@')[0]?.toLowerCase() ?? '';
  return ALIAS_FAMILIES[name] ?? name;
}

/** The device the family keeps pods' ephemeral storage on, and its default size. */
function familyVolume(family: string): { device?: string; bytes: number } {
  if (family === 'Bottlerocket') return { device: '/dev/xvdb', bytes: DEFAULT_EPHEMERAL_GIB * GIB };
  if (family.startsWith('Windows')) return { device: '/dev/sda1', bytes: 50 * GIB };
  if (family === 'Custom') return { bytes: DEFAULT_EPHEMERAL_GIB * GIB };
  return { device: '/dev/xvda', bytes: DEFAULT_EPHEMERAL_GIB * GIB };
}

const sizeOf = (b: Bdm | undefined): number | undefined => parseQuantity(b?.ebs?.volumeSize);

/** Karpenter's ephemeralStorage() without the instance store: root volume, family device, default. */
function ephemeralBytes(family: string, bdms: readonly Bdm[]): number {
  const volume = familyVolume(family);
  if (bdms.length === 0) return volume.bytes;
  const root = sizeOf(bdms.find((b) => b.rootVolume === true));
  if (root !== undefined) return root;
  if (family === 'Custom') return sizeOf(bdms[bdms.length - 1]) ?? volume.bytes;
  return sizeOf(bdms.find((b) => b.deviceName === volume.device)) ?? volume.bytes;
}

export function classShape(spec: Readonly<Record<string, unknown>> | undefined): NodeShape {
  const s = (spec ?? {}) as ShapeSpec;
  const family = amiFamilyOf(s);
  const k = s.kubelet ?? {};
  const fields = {
    family,
    ...(k.maxPods !== undefined ? { maxPods: k.maxPods } : {}),
    ...(k.podsPerCore !== undefined ? { podsPerCore: k.podsPerCore } : {}),
    kubeReserved: k.kubeReserved ?? {},
    systemReserved: k.systemReserved ?? {},
    evictionHard: k.evictionHard ?? {},
    ephemeralBytes: ephemeralBytes(family, s.blockDeviceMappings ?? []),
    raid0: s.instanceStorePolicy === 'RAID0',
  };
  return { key: canonicalJson(fields), ...fields };
}
