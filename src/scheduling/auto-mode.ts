/**
 * EKS Auto Mode's NodePools: those whose `nodeClassRef` is an `eks.amazonaws.com` NodeClass. Their
 * nodes carry `eks.amazonaws.com/compute-type: auto` and the NodeClass's name, run Linux only, and the
 * two built-in pools (`general-purpose`, `system`) are defined by AWS, not by their objects: they cannot
 * be edited, so what AWS documents is what they launch.
 */
import { LABEL } from '../catalog/instance-type.js';
import type { NodeSelectorRequirement } from './requirements.js';
import type { Taint } from './taints.js';
import { AUTO_NODECLASS, COMPUTE_TYPE } from './vocabulary.js';

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
