/**
 * The zones a set of objects names: Node and NodeClaim zone labels and NodePool zone requirements. A
 * dump of an eu-west-1 cluster says its region this way when no flag or policies.yaml does. And the
 * embedded sample pools moved into the chosen region. Pure.
 */
import { LABEL } from '../catalog/instance-type.js';
import type { KubeObject } from '../kube/objects.js';
import type { NodePool } from '../scheduling/nodepool.js';
import type { Catalog } from '../catalog/catalog.js';
import { zoneInRegion } from '../catalog/regions.js';

export function zonesNamed(objects: readonly KubeObject[]): string[] {
  const zones: string[] = [];
  for (const o of objects) {
    if (o.kind === 'NodePool') zones.push(...poolZoneNames([o as unknown as NodePool]));
    else if (o.kind === 'Node' || o.kind === 'NodeClaim') {
      const z = o.metadata?.labels?.[LABEL.zone];
      if (z !== undefined) zones.push(z);
    }
  }
  return zones;
}

/** The zones NodePools name in their requirements (what says which region they are in). */
export function poolZoneNames(nodePools: readonly NodePool[]): string[] {
  return nodePools.flatMap((p) =>
    (p.spec.template.spec.requirements ?? [])
      .filter((r) => r.key === LABEL.zone && r.operator === 'In')
      .flatMap((r) => r.values ?? []),
  );
}

/** The embedded sample pools with their zone requirements in the catalog's region. */
export function samplesIn(nodePools: NodePool[], catalog: Catalog): NodePool[] {
  return nodePools.map((p) => {
    const reqs = p.spec.template.spec.requirements ?? [];
    if (
      !reqs.some(
        (r) => r.key === LABEL.zone && (r.values ?? []).some((z) => !zoneInRegion(z, catalog.region)),
      )
    )
      return p;
    const requirements = reqs.map((r) => (r.key === LABEL.zone ? { ...r, values: [...catalog.zones] } : r));
    return {
      ...p,
      spec: { ...p.spec, template: { ...p.spec.template, spec: { ...p.spec.template.spec, requirements } } },
    };
  });
}
