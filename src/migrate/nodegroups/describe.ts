/**
 * What `aws eks describe-nodegroup` says of a group that its Nodes cannot: how large it may grow
 * (`scalingConfig.maxSize`) and which instance types it may launch. A NodePool's limits come from that
 * (each group's max size times its largest type), so the pool can take what the group could. Pure.
 */
import type { Catalog } from '../../catalog/catalog.js';

export interface GroupLimits {
  readonly maxSize: number;
  readonly instanceTypes: readonly string[];
}

interface Described {
  nodegroupName?: unknown;
  scalingConfig?: { maxSize?: unknown };
  instanceTypes?: unknown;
}

function groupOf(d: Described, where: string): [string, GroupLimits] {
  const name = d.nodegroupName;
  const max = d.scalingConfig?.maxSize;
  if (typeof name !== 'string' || typeof max !== 'number' || !Number.isInteger(max) || max < 0)
    throw new Error(
      `${where}: not the output of aws eks describe-nodegroup (nodegroupName, scalingConfig.maxSize)`,
    );
  const types = Array.isArray(d.instanceTypes)
    ? d.instanceTypes.filter((t): t is string => typeof t === 'string')
    : [];
  return [name, { maxSize: max, instanceTypes: types }];
}

/** `{nodegroup: …}` (one describe-nodegroup), a list of them, or `{nodegroups: […]}`: groups by name. */
export function parseDescribed(text: string, file: string): Map<string, GroupLimits> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const list: unknown[] = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null && Array.isArray((doc as { nodegroups?: unknown }).nodegroups)
      ? (doc as { nodegroups: unknown[] }).nodegroups
      : [doc];
  return new Map(
    list.map((x, i) => {
      const inner: unknown = typeof x === 'object' && x !== null && 'nodegroup' in x ? x.nodegroup : x;
      const d: Described = typeof inner === 'object' && inner !== null ? inner : {};
      return groupOf(d, `${file}[${i}]`);
    }),
  );
}

/** A group's most: its max size times its largest type's vCPUs and memory (GiB); undefined without types. */
export function groupMost(
  g: GroupLimits,
  seen: readonly string[],
  catalog: Catalog,
): { cpu: number; memoryGiB: number } | undefined {
  const types = (g.instanceTypes.length > 0 ? g.instanceTypes : seen).flatMap((n) => {
    const t = catalog.byName(n);
    return t ? [t] : [];
  });
  if (types.length === 0) return undefined;
  const cpu = Math.max(...types.map((t) => t.capacity.cpuMillis)) / 1000;
  const mem = Math.max(...types.map((t) => t.capacity.memoryMiB)) / 1024;
  return { cpu: g.maxSize * cpu, memoryGiB: g.maxSize * mem };
}
