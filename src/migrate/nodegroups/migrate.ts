/**
 * Managed node groups (or Cluster Autoscaler's groups) → NodePools, one per runtime class rather than
 * one per team or group (pool.ts): every workload on the groups named with its opt-in (moves.ts), what
 * the new pools would cost for the pods running now planned by Berth's solver beside what the groups
 * cost (cost.ts), and the guardrail's steps. Pure.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { KubeObject } from '../../kube/objects.js';
import type { NodePool } from '../../scheduling/nodepool.js';
import type { Taint } from '../../scheduling/taints.js';
import { decide, note, type Finding } from '../findings.js';
import type { Migration } from '../auto-mode/migrate.js';
import type { Move } from '../workloads.js';
import { NODEGROUP_LABELS, nodeGroups, type NodeGroup } from './inventory.js';
import { daemonSetMoves, moveOf, owner } from './moves.js';
import { storageOf, zoneVolumeFindings } from '../volumes.js';
import { podClass, poolLimits, proposedPool } from './pool.js';
import type { GroupLimits } from './describe.js';
import { planCost } from './cost.js';
import { nodeGroupSteps } from './steps.js';

export const NODEGROUP_TAINT: Taint = {
  key: 'berth.dev/migration',
  value: 'nodegroups',
  effect: 'NoSchedule',
};

export interface NodeGroupInput {
  readonly objects: readonly KubeObject[];
  readonly workloads: readonly KubeObject[];
  readonly catalog: Catalog;
  readonly nodeClass: string;
  readonly taint?: Taint;
  readonly cluster?: string;
  readonly file?: string;
  /** What `aws eks describe-nodegroup` said of the groups (max size, instance types), by name. */
  readonly described?: ReadonlyMap<string, GroupLimits>;
}

interface ClassPods {
  readonly groups: Set<string>;
  readonly pods: V1Pod[];
}

/** The groups' pods by runtime class, classes in name order. */
function byClass(groups: readonly NodeGroup[]): [string, ClassPods][] {
  const out = new Map<string, ClassPods>();
  for (const g of groups)
    for (const p of g.pods) {
      const cls = podClass(p.spec ?? {}, p.metadata?.labels ?? {});
      const entry = out.get(cls) ?? { groups: new Set<string>(), pods: [] };
      entry.groups.add(g.name);
      entry.pods.push(p);
      out.set(cls, entry);
    }
  return [...out].sort(([a], [b]) => a.localeCompare(b));
}

/** The workloads that own these pods (each once); a pod no workload owns is said. */
function owners(
  pods: readonly V1Pod[],
  workloads: readonly KubeObject[],
  ownerOf: Map<V1Pod, KubeObject>,
  findings: Finding[],
): KubeObject[] {
  const found = new Set<KubeObject>();
  for (const p of pods) {
    const w = owner(p, workloads);
    if (w) {
      found.add(w);
      ownerOf.set(p, w);
    } else
      findings.push(
        note(
          `Pod/${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`,
          undefined,
          'no workload of the input owns it',
          'give the workloads too, or make it again with the opt-in',
        ),
      );
  }
  return [...found];
}

const groupNote = (g: NodeGroup, d: GroupLimits | undefined): Finding =>
  note(
    `nodegroup/${g.name}`,
    undefined,
    `${g.nodes.length} nodes (${g.instanceTypes.join(', ')}), $${g.pricePerHour.toFixed(3)}/h${d ? `, max size ${d.maxSize}` : ''}`,
    d
      ? "nothing: its pool's limits hold its max size"
      : "its pool's limits are twice today's CPU: give --nodegroups (aws eks describe-nodegroup) to take its max size",
  );

/** The zones a NodePool launches in (its zone requirement), undefined when it names none. */
const zonesOf = (pool: NodePool): readonly string[] | undefined =>
  pool.spec.template.spec.requirements?.find((r) => r.key === LABEL.zone && r.operator === 'In')?.values;

export function fromNodeGroups(input: NodeGroupInput): Migration {
  const taint = input.taint ?? NODEGROUP_TAINT;
  const described = input.described ?? new Map<string, GroupLimits>();
  const nodes = input.objects.filter((o) => o.kind === 'Node') as unknown as V1Node[];
  const pods = input.objects.filter((o) => o.kind === 'Pod') as unknown as V1Pod[];
  const groups = nodeGroups(nodes, pods, input.catalog);
  const findings: Finding[] = [];
  if (groups.length === 0)
    findings.push(
      decide(
        'Nodes',
        undefined,
        `none carries ${NODEGROUP_LABELS.join(' or ')}`,
        'give `kubectl get nodes,pods -A -o yaml` of a cluster with node groups',
      ),
    );
  const pools: NodePool[] = [];
  const moves: Move[] = [];
  const storage = storageOf(input.objects);
  /** Each pod's workload, found once for the moves and the cost plan. */
  const ownerOf = new Map<V1Pod, KubeObject>();
  for (const [cls, e] of byClass(groups)) {
    const gs = groups.filter((g) => e.groups.has(g.name));
    const limits = poolLimits(gs, described, input.catalog);
    const pool = proposedPool(cls, gs, { nodeClass: input.nodeClass, taint, limits });
    pools.push(pool);
    const c = { groups: [...e.groups].sort(), pool, taint, catalog: input.catalog };
    for (const w of owners(e.pods, input.workloads, ownerOf, findings)) {
      const m = moveOf(w, c, findings);
      if (m) moves.push(m);
      if (m && m.to.length > 0) findings.push(...zoneVolumeFindings(w, storage, zonesOf(pool)));
    }
  }
  const names = groups.map((g) => g.name);
  moves.push(...daemonSetMoves(input.workloads, names, pools, taint));
  findings.push(...groups.map((g) => groupNote(g, described.get(g.name))));
  const cost = planCost(pools, groups, { moves, ownerOf, objects: input.objects, catalog: input.catalog });
  if (cost) findings.push(cost);
  const steps = nodeGroupSteps({
    file: input.file ?? 'migrate.yaml',
    groups: names,
    moves,
    pools: pools.map((p) => p.metadata.name),
    cluster: input.cluster ?? '<cluster>',
  });
  return { objects: pools, findings, moves, steps };
}
