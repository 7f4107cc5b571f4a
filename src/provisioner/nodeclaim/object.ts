/**
 * Karpenter v1 NodeClaims as Berth writes them (mode `berth`): one per launch, created before the cloud
 * call, owned by its NodePool, with the finalizer that makes deletion a graceful drain. The spec is the
 * plan's node: the pool's requirements narrowed to the instance types, zone and capacity type the solver
 * allows, the planned pods' requests, the pool's class, taints and lifetimes. Pure.
 */
import { LABEL, type InstanceType } from '../../catalog/instance-type.js';
import { formatCpu, formatMemory } from '../../kube/quantity.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { NodeSelectorRequirement } from '../../scheduling/requirements.js';
import { taintObject } from '../../scheduling/taints.js';
import { instanceIdOf, instanceLabels, type Instance } from '../cloud/provider.js';
import type { PlannedNode } from '../solver/model.js';
import { minValuesOf } from '../../scheduling/min-values.js';
import { ACCELERATOR_DIMS, fromAllocatable, type Res } from '../solver/resources.js';

export const NODECLAIM_API_VERSION = 'karpenter.sh/v1';
/** On NodeClaims and on their Nodes: removed only once the node is drained and its instance gone. */
export const TERMINATION_FINALIZER = 'karpenter.sh/termination';

export interface ClaimCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime?: string;
}

export interface ClaimStatus {
  nodeName?: string;
  providerID?: string;
  imageID?: string;
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: ClaimCondition[];
}

export interface NodeClaim {
  apiVersion: typeof NODECLAIM_API_VERSION;
  kind: 'NodeClaim';
  metadata: {
    name: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      blockOwnerDeletion?: boolean;
    }[];
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec: {
    requirements: (NodeSelectorRequirement & { minValues?: number })[];
    resources?: { requests?: Record<string, string> };
    nodeClassRef: { group: string; kind: string; name: string };
    taints?: { key: string; value?: string; effect: string }[];
    startupTaints?: { key: string; value?: string; effect: string }[];
    expireAfter?: string;
    terminationGracePeriod?: string;
  };
  status?: ClaimStatus;
}

/** Keys the claim narrows to the plan's choice; the pool's other requirements are kept as written. */
const NARROWED = new Set<string>([LABEL.instanceType, LABEL.zone, LABEL.capacityType]);

/** The resource list of a request vector (cpu, memory, pods; GPUs when asked for). */
export function resourceList(r: Readonly<Res>): Record<string, string> {
  const out: Record<string, string> = {
    cpu: formatCpu(Math.round(r.cpu)),
    memory: formatMemory(r.mem),
    pods: String(r.pods),
  };
  if (r.eph > 0) out['ephemeral-storage'] = formatMemory(r.eph);
  for (const [dim, name] of ACCELERATOR_DIMS) if (r[dim] > 0) out[name] = String(r[dim]);
  return out;
}

/** A pool's minValues on a key the claim narrows, kept on the claim as Karpenter keeps it. */
function minValuesFor(pool: PoolView, key: string): { minValues?: number } {
  const min = minValuesOf(pool).find((m) => m.key === key)?.min;
  return min !== undefined ? { minValues: min } : {};
}

/** The NodeClaim for a planned node of `pool`, before anything is launched for it. */
export function claimFor(node: PlannedNode, pool: PoolView, requests: Readonly<Res>): NodeClaim {
  const spec = pool.pool.spec.template.spec;
  const uid = (pool.pool.metadata as { uid?: string }).uid;
  const ref = spec.nodeClassRef;
  const kept = (spec.requirements ?? []).filter((r) => !NARROWED.has(r.key));
  const requirements = [
    ...kept,
    {
      key: LABEL.instanceType,
      operator: 'In',
      values: [node.instanceType, ...node.alternatives],
      ...minValuesFor(pool, LABEL.instanceType),
    },
    { key: LABEL.zone, operator: 'In', values: [node.zone] },
    { key: LABEL.capacityType, operator: 'In', values: [node.capacityType] },
    { key: LABEL.nodePool, operator: 'In', values: [pool.name] },
  ];
  return {
    apiVersion: NODECLAIM_API_VERSION,
    kind: 'NodeClaim',
    metadata: {
      name: node.name,
      labels: { ...pool.labels, [LABEL.nodePool]: pool.name },
      finalizers: [TERMINATION_FINALIZER],
      ...(uid !== undefined
        ? {
            ownerReferences: [
              {
                apiVersion: NODECLAIM_API_VERSION,
                kind: 'NodePool',
                name: pool.name,
                uid,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      requirements,
      resources: { requests: resourceList(requests) },
      nodeClassRef: {
        group: ref?.group ?? 'karpenter.k8s.aws',
        kind: ref?.kind ?? 'EC2NodeClass',
        name: ref?.name ?? 'default',
      },
      ...(node.taints.length > 0 ? { taints: node.taints.map(taintObject) } : {}),
      ...(spec.startupTaints && spec.startupTaints.length > 0
        ? { startupTaints: spec.startupTaints.map(taintObject) }
        : {}),
      expireAfter: spec.expireAfter ?? '720h',
      ...(spec.terminationGracePeriod !== undefined
        ? { terminationGracePeriod: spec.terminationGracePeriod }
        : {}),
    },
  };
}

/** What a launch adds to the claim: the instance's labels, and its providerID, capacity and allocatable. */
export function launchedDetails(
  instance: Instance,
  type: InstanceType | undefined,
): { labels: Record<string, string>; status: ClaimStatus } {
  // The hostname is the Node's, not the claim's.
  const labels = Object.fromEntries(
    Object.entries(instanceLabels(instance, type)).filter(([k]) => k !== LABEL.hostname),
  );
  return {
    labels,
    status: {
      providerID: instance.providerId,
      ...(instance.imageId !== undefined ? { imageID: instance.imageId } : {}),
      ...(type
        ? {
            capacity: resourceList(fromAllocatable(type.capacity)),
            allocatable: resourceList(fromAllocatable(type.allocatable)),
          }
        : {}),
    },
  };
}

export const conditionOf = (c: Pick<NodeClaim, 'status'>, type: string): ClaimCondition | undefined =>
  c.status?.conditions?.find((x) => x.type === type);

export const isTrue = (c: Pick<NodeClaim, 'status'>, type: string): boolean =>
  conditionOf(c, type)?.status === 'True';

export const poolOf = (c: NodeClaim): string | undefined => c.metadata.labels?.[LABEL.nodePool];

/** The Instance a launched claim records (for the in-flight set after a restart); undefined before. */
export function instanceOfClaim(c: NodeClaim): Instance | undefined {
  const providerId = c.status?.providerID;
  const l = c.metadata.labels ?? {};
  const id = instanceIdOf(providerId);
  const pool = l[LABEL.nodePool];
  if (providerId === undefined || id === undefined || pool === undefined) return undefined;
  const launched = conditionOf(c, 'Launched')?.lastTransitionTime ?? c.metadata.creationTimestamp;
  return {
    id,
    claim: c.metadata.name,
    nodePool: pool,
    instanceType: l[LABEL.instanceType] ?? '',
    zone: l[LABEL.zone] ?? '',
    capacityType: l[LABEL.capacityType] ?? '',
    providerId,
    launchedAt: new Date(launched ?? 0),
  };
}
