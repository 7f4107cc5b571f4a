/**
 * EKS Auto Mode's NodePools: those whose `nodeClassRef` is an `eks.amazonaws.com` NodeClass. Their
 * nodes carry `eks.amazonaws.com/compute-type: auto` and the NodeClass's name, run Linux only, and the
 * two built-in pools (`general-purpose`, `system`) are defined by AWS, not by their objects: they cannot
 * be edited, so what AWS documents is what they launch.
 */
import { LABEL } from '../catalog/instance-type.js';
import type { NodeSelectorRequirement } from './requirements.js';
import type { Taint } from './taints.js';
import { AUTO_NODECLASS, COMPUTE_TYPE, inVocabulary, KARPENTER_PREFIX } from './vocabulary.js';

export const AUTO_MODE_GROUP = 'eks.amazonaws.com';

export interface BuiltinPool {
  readonly requirements: readonly NodeSelectorRequirement[];
  readonly taints: readonly Taint[];
  /** What the pool is for, for messages. */
  readonly purpose: string;
}

const SHARED: readonly NodeSelectorRequirement[] = [
  { key: LABEL.capacityType, operator: 'In', values: ['on-demand'] },
  { key: LABEL.os, operator: 'In', values: ['linux'] },
  { key: 'eks.amazonaws.com/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
  { key: 'eks.amazonaws.com/instance-generation', operator: 'Gt', values: ['4'] },
];

/** AWS's definitions (EKS user guide, "Enable or Disable Built-in NodePools"). */
export const BUILTIN_POOLS: Readonly<Record<string, BuiltinPool>> = {
  'general-purpose': {
    requirements: [...SHARED, { key: LABEL.arch, operator: 'In', values: ['amd64'] }],
    taints: [],
    purpose: 'general-purpose workloads',
  },
  system: {
    requirements: [...SHARED, { key: LABEL.arch, operator: 'In', values: ['amd64', 'arm64'] }],
    taints: [{ key: 'CriticalAddonsOnly', effect: 'NoSchedule' }],
    purpose: 'cluster-critical add-ons',
  },
};

export function isAutoModeClass(ref: { group?: string } | undefined): boolean {
  return (ref?.group ?? '') === AUTO_MODE_GROUP;
}

/** The built-in pool a NodePool is, when it is one (its name, on the `default` NodeClass). */
export function builtinPool(
  name: string,
  ref: { group?: string; name: string } | undefined,
): BuiltinPool | undefined {
  if (!isAutoModeClass(ref) || ref?.name !== 'default') return undefined;
  return Object.hasOwn(BUILTIN_POOLS, name) ? BUILTIN_POOLS[name] : undefined;
}

/** Labels every node of an Auto Mode pool carries besides its instance labels. */
export function autoModeLabels(nodeClass: string): Record<string, string> {
  return { [COMPUTE_TYPE]: 'auto', [AUTO_NODECLASS]: nodeClass };
}

/**
 * The instance families EKS Auto Mode launches (EKS user guide, "EKS Auto Mode supported instance
 * reference", as of 2026-11). It launches none of the others, and none with a single vCPU or of size
 * nano, micro or small.
 */
export const AUTO_MODE_FAMILIES: ReadonlySet<string> = new Set(
  [
    'c8id c8i c8i-flex c8gd c8gn c8g c8a c8gb c7a c7g c7gn c7gd c7i c7i-flex c6a c6g c6i c6gn c6id c6in c6gd',
    'c5 c5a c5d c5ad c5n c4',
    'm8id m8i m8i-flex m8a m8azn m8gn m8gb m8gd m8g m7i m7a m7g m7gd m7i-flex m6a m6i m6in m6g m6idn m6id',
    'm6gd m5 m5a m5ad m5n m5dn m5d m5zn m4',
    'r8id r8i r8i-flex r8gn r8gb r8gd r8g r8a r7a r7iz r7gd r7i r7g r6a r6i r6id r6in r6idn r6g r6gd r5 r5n',
    'r5a r5dn r5b r5ad r5d r4',
    't4g t3 t3a t2 z1d x8aedz x8g x8i x2gd',
    'i8ge i7i i8g i7ie i4g i4i i3 i3en is4gen d3 d3en im4gn',
    'p6-b200 p6-b300 p5 p5e p5en p4d p4de p3dn g7e g6 gr6 g6e g5g g5 g4dn g4ad inf2 inf1 trn1 trn1n trn2',
    'hpc8a x2iezn x2iedn x2idn',
  ].flatMap((line) => line.split(' ')),
);

const TOO_SMALL: ReadonlySet<string> = new Set(['nano', 'micro', 'small']);

/** Why EKS Auto Mode does not launch an instance type, if it does not. */
export function autoModeRefuses(type: {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}): string | undefined {
  const family = type.labels[LABEL.family] ?? type.name.split('.')[0] ?? '';
  if (!AUTO_MODE_FAMILIES.has(family)) return `Auto Mode does not offer the ${family} family`;
  const size = type.labels[LABEL.size] ?? type.name.split('.')[1] ?? '';
  if (TOO_SMALL.has(size)) return `Auto Mode launches no ${size} instance`;
  if (Number(type.labels[LABEL.cpu] ?? '2') <= 1) return 'Auto Mode launches nothing with a single vCPU';
  return undefined;
}

/** The instance labels Auto Mode's nodes carry, as `eks.amazonaws.com/<name>` (EKS user guide, "Supported Labels"). */
export const AUTO_MODE_INSTANCE_LABELS: ReadonlySet<string> = new Set([
  'instance-hypervisor',
  'instance-encryption-in-transit-supported',
  'instance-category',
  'instance-generation',
  'instance-family',
  'instance-size',
  'instance-cpu',
  'instance-cpu-manufacturer',
  'instance-memory',
  'instance-ebs-bandwidth',
  'instance-network-bandwidth',
  'instance-gpu-name',
  'instance-gpu-manufacturer',
  'instance-gpu-count',
  'instance-gpu-memory',
  'instance-local-nvme',
]);

/** A label key as Auto Mode nodes carry it: the same, its `eks.amazonaws.com/` twin, or none (undefined). */
export function autoModeKey(key: string): string | undefined {
  if (!key.startsWith(KARPENTER_PREFIX)) return key;
  return AUTO_MODE_INSTANCE_LABELS.has(key.slice(KARPENTER_PREFIX.length))
    ? inVocabulary(key, 'auto')
    : undefined;
}

/** The longest an Auto Mode node lives (21 days), and its default (14 days). */
export const AUTO_MODE_MAX_LIFETIME_HOURS = 504;
export const AUTO_MODE_DEFAULT_LIFETIME_HOURS = 336;
/** Pods an Auto Mode node runs at most, whatever its type. */
export const AUTO_MODE_MAX_PODS = 110;
