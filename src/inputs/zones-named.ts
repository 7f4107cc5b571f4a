/**
 * The zones a set of objects names: Node and NodeClaim zone labels and NodePool zone requirements. A
 * dump of an eu-west-1 cluster says its region this way when no flag or policies.yaml does. Pure.
 */
import { LABEL } from '../catalog/instance-type.js';
import type { KubeObject } from '../kube/objects.js';
import type { NodePool } from '../scheduling/nodepool.js';
import { poolZoneNames } from './session.js';

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
