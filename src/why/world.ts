/**
 * What `berth why` reads: a cluster's objects as `kubectl get nodes,pods,pdb,pv,pvc,deployments,nodepools,
 * nodeclaims,ec2nodeclasses,events -A -o yaml` writes them (or as the API lists them), sorted by kind,
 * with the NodePools seen as the provisioner sees them (their EC2NodeClass, their NodeOverlays). Pure.
 */
import type { CoreV1Event, V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import type { KubeObject } from '../kube/objects.js';
import type { PDB } from '../policies/view.js';
import type { NodeClaim } from '../provisioner/nodeclaim/object.js';
import { withOverlays, type NodeOverlay } from '../scheduling/node-overlay.js';
import {
  nodeClassOf,
  poolViewWithClass,
  type EC2NodeClass,
  type NodePool,
  type PoolView,
} from '../scheduling/nodepool.js';

export interface WhyWorld {
  readonly nodes: readonly V1Node[];
  readonly pods: readonly V1Pod[];
  readonly pdbs: readonly PDB[];
  readonly pvs: readonly KubeObject[];
  readonly pvcs: readonly KubeObject[];
  readonly daemonSets: readonly KubeObject[];
  /** Their single replicas may be moved surge-first (provisioner/disruption/surge.ts). */
  readonly deployments: readonly V1Deployment[];
  readonly nodePools: readonly NodePool[];
  readonly nodeClaims: readonly NodeClaim[];
  readonly nodeClasses: readonly EC2NodeClass[];
  readonly overlays: readonly NodeOverlay[];
  readonly events: readonly CoreV1Event[];
  /** The NodePools as the provisioner sees them (class hashes, images, overlays applied). */
  readonly pools: readonly PoolView[];
  readonly catalog: Catalog;
  readonly now: Date;
  /** consolidateAfter of a NodePool that sets none (policies.yaml consolidation.consolidateAfterSeconds). */
  readonly defaultConsolidateAfterMs: number;
  /** Spot-to-spot consolidation (policies.yaml), as the leader decides it. */
  readonly spotToSpot: boolean;
  /** The share of a node's price a replacing consolidation must save, by NodePool (policies.yaml). */
  readonly minSavings?: (pool: string) => number;
  /** Whether policies.yaml moves a runtime class's single replicas surge-first. */
  readonly surgeFirst?: (runtimeClass: string | undefined) => boolean;
  /** Where the objects came from, for messages ("the dump x.yaml", "the cluster https://…"). */
  readonly source: string;
}

export interface WorldSettings {
  readonly catalog: Catalog;
  readonly now: Date;
  readonly defaultConsolidateAfterMs: number;
  readonly spotToSpot: boolean;
  readonly minSavings?: (pool: string) => number;
  readonly surgeFirst?: (runtimeClass: string | undefined) => boolean;
  readonly source: string;
}

const KINDS = [
  'Node',
  'Pod',
  'PodDisruptionBudget',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'DaemonSet',
  'Deployment',
  'NodePool',
  'NodeClaim',
  'EC2NodeClass',
  'NodeOverlay',
  'Event',
] as const;
type Kind = (typeof KINDS)[number];

/**
 * The objects of each kind, each once: an object given again (a dump given twice, a later file) takes
 * the place of the earlier one, as applying it would.
 */
function byKind(objects: readonly KubeObject[]): Map<Kind, KubeObject[]> {
  const out = new Map<Kind, KubeObject[]>(KINDS.map((k) => [k, []]));
  const at = new Map<string, number>();
  for (const o of objects) {
    const list = out.get(o.kind as Kind);
    if (!list) continue;
    const m = o.metadata ?? {};
    const key = `${o.kind ?? ''}/${m.namespace ?? ''}/${m.name ?? ''}`;
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, list.length);
      list.push(o);
    } else list[i] = o;
  }
  return out;
}

export function worldOf(objects: readonly KubeObject[], s: WorldSettings): WhyWorld {
  const k = byKind(objects);
  const of = <T>(kind: Kind): T[] => (k.get(kind) ?? []) as unknown as T[];
  const nodePools = of<NodePool>('NodePool');
  const nodeClasses = of<EC2NodeClass>('EC2NodeClass');
  const overlays = of<NodeOverlay>('NodeOverlay');
  const views = nodePools.map((p) => poolViewWithClass(p, nodeClassOf(p, nodeClasses)));
  return {
    nodes: of<V1Node>('Node'),
    pods: of<V1Pod>('Pod'),
    pdbs: of<PDB>('PodDisruptionBudget'),
    pvs: of('PersistentVolume'),
    pvcs: of('PersistentVolumeClaim'),
    daemonSets: of('DaemonSet'),
    deployments: of<V1Deployment>('Deployment'),
    nodePools,
    nodeClaims: of<NodeClaim>('NodeClaim'),
    nodeClasses,
    overlays,
    events: of<CoreV1Event>('Event'),
    pools: withOverlays(views, overlays, s.catalog).views,
    ...s,
  };
}

/** The Events about an object, oldest first (by their last time). */
export function eventsOf(w: WhyWorld, kind: string, name: string, namespace?: string): CoreV1Event[] {
  return w.events
    .filter(
      (e) =>
        e.involvedObject.kind === kind &&
        e.involvedObject.name === name &&
        (namespace === undefined || (e.involvedObject.namespace ?? '') === namespace),
    )
    .sort((a, b) => eventTime(a) - eventTime(b));
}

/** When an Event last happened (ms; 0 when it says nothing). */
export function eventTime(e: CoreV1Event): number {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
  const ms = t === undefined ? Number.NaN : new Date(t).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * When a dump was taken, as near as its objects tell: the newest time any of them carries (an Event, a
 * condition's transition, a creation). An incident reviewed later is judged as of then, not now.
 */
export function dumpTime(objects: readonly KubeObject[]): Date | undefined {
  let newest = Number.NEGATIVE_INFINITY;
  const see = (t: unknown): void => {
    if (typeof t !== 'string' && !(t instanceof Date)) return;
    const ms = new Date(t).getTime();
    if (!Number.isNaN(ms) && ms > newest) newest = ms;
  };
  for (const o of objects) {
    see(o.metadata?.creationTimestamp);
    if (o.kind === 'Event') {
      const t = eventTime(o as unknown as CoreV1Event);
      if (t > 0) see(new Date(t));
    }
    const status = o.status as { conditions?: { lastTransitionTime?: unknown }[] } | undefined;
    for (const c of status?.conditions ?? []) see(c.lastTransitionTime);
  }
  return Number.isFinite(newest) ? new Date(newest) : undefined;
}
