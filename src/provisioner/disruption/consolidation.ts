/**
 * A whole-cluster consolidation, offline (`berth plan --nodes … --consolidate`): every decision in
 * order, each within the budgets of its moment and applied before the next is sought, until none is
 * left; then what keeps each remaining node. Pure: the same methods the leader runs one round at a time.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PDB } from '../../policies/view.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { DaemonSetShape, ExistingNode, PlannedNode } from '../solver/model.js';
import type { PoolOption } from '../solver/pools.js';
import { existingNode } from '../input/nodes.js';
import { classify, type Classified, type Kept } from './candidates.js';
import { settled, stayReason } from './kept.js';
import { eventualCandidates } from './eventual.js';
import { nextDecision } from './methods.js';
import { scoreMessage } from './balanced.js';
import { moves, pdbStates, podId, type Pdbs } from './pods.js';
import { keepingRoom } from './simulate.js';
import { NOT_PLANNED } from './waiting.js';
import type { World } from './world.js';
import type { Decision, Method, Refusals } from './decision.js';

export interface ConsolidationInput {
  readonly nodes: readonly V1Node[];
  readonly pods: readonly V1Pod[];
  readonly pdbs: readonly PDB[];
  readonly pools: readonly PoolView[];
  readonly daemonSets: readonly DaemonSetShape[];
  readonly catalog: Catalog;
  readonly now: Date;
  readonly spotToSpot: boolean;
  /** The share of the removed nodes' price a replacing consolidation must save, by pool. */
  readonly minSavings?: (pool: string) => number;
  /** Pods a drain would move surge-first (surge.ts): a PDB does not hold them. */
  readonly surges?: (pod: V1Pod) => boolean;
  /** Stop after this many decisions (a safety net; a plan ends long before). */
  readonly maxDecisions?: number;
  /**
   * consolidateAfter as the leader counts it (kept.ts settled): when a pod last came to or left each
   * node. Without it every node is taken as settled (a plan of files has no history).
   */
  readonly settle?: {
    readonly lastPodEvent: (node: string) => number | undefined;
    readonly defaultMs: number;
  };
}

export interface LaunchOut {
  name: string;
  nodePool: string;
  instanceType: string;
  zone: string;
  capacityType: string;
  pricePerHour: number;
  pods: string[];
}

export interface DecisionOut {
  method: Method;
  remove: string[];
  launch: LaunchOut[];
  /** Where each evicted pod goes (a node that stays or one launched). */
  moves: { pod: string; node: string }[];
  pricePerHourBefore: number;
  pricePerHourAfter: number;
  /** Under consolidationPolicy Balanced, the move's score in each NodePool it takes nodes from. */
  balanced?: {
    nodePool: string;
    score: number | null;
    threshold: number;
    savingsPercent: number;
    disruptionPercent: number;
    message: string;
  }[];
}

export interface NodeOut {
  name: string;
  instanceType: string;
  zone: string;
  capacityType: string;
  pricePerHour: number;
  pods: string[];
}

export interface ConsolidationPlan {
  decisions: DecisionOut[];
  kept: Kept[];
  before: { pricePerHour: number; nodes: number };
  after: { nodes: NodeOut[]; pricePerHour: number };
  /** Milliseconds to the first decision, and for the whole plan. */
  millis: { firstDecision: number | undefined; total: number };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
const total = (c: Classified) => round([...c.managed.values()].reduce((s, n) => s + n.price, 0));

/** Karpenter's allocatable quantities for a node the plan launches. */
function launchedNode(p: PlannedNode, catalog: Catalog, now: Date): V1Node {
  const a = catalog.byName(p.instanceType)?.allocatable;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: p.name, labels: { ...p.labels }, creationTimestamp: now },
    spec: {
      taints: p.taints.map((t) => ({
        key: t.key,
        effect: t.effect,
        ...(t.value !== undefined ? { value: t.value } : {}),
      })),
    },
    status: {
      allocatable: a
        ? {
            cpu: `${a.cpuMillis}m`,
            memory: `${a.memoryMiB}Mi`,
            pods: String(a.pods),
            'nvidia.com/gpu': String(a.nvidiaGpu),
          }
        : {},
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

const NO_PODS: readonly V1Pod[] = [];

class Cluster {
  nodes: V1Node[];
  readonly podsByNode = new Map<string, V1Pod[]>();
  /** Solver views of nodes whose pods did not change since the last simulation. */
  private readonly views = new Map<string, { pods: readonly V1Pod[]; view: ExistingNode }>();
  private readonly poolMemo = new Map<PoolView, PoolOption>();
  /** Pods no node holds: on their way (waiting.ts). */
  private readonly waiting: V1Pod[] = [];

  constructor(private readonly input: ConsolidationInput) {
    this.nodes = [...input.nodes];
    for (const p of input.pods) {
      const node = p.spec?.nodeName;
      if (node === undefined) {
        this.waiting.push(p);
        continue;
      }
      this.podsByNode.set(node, [...(this.podsByNode.get(node) ?? []), p]);
    }
  }

  world(decision: number): World {
    const { pools, daemonSets, catalog } = this.input;
    const namePrefix = `berth-replacement-${decision + 1}-`;
    const existing = (n: V1Node): ExistingNode => {
      const name = n.metadata?.name ?? '';
      const pods = this.podsByNode.get(name) ?? NO_PODS;
      const hit = this.views.get(name);
      if (hit?.pods === pods) return hit.view;
      const view = existingNode(n, pods);
      this.views.set(name, { pods, view });
      return view;
    };
    const world: World = {
      nodes: this.nodes,
      podsByNode: this.podsByNode,
      pools,
      daemonSets,
      catalog,
      namePrefix,
      existing,
      poolMemo: this.poolMemo,
      ...(this.input.spotToSpot ? { alternatives: 60 } : {}),
    };
    // The pods the files show unbound are on their way: their room is kept, as in the cluster.
    return keepingRoom(world, this.waiting, NOT_PLANNED);
  }

  /**
   * Offline, pods are only moved, never created, deleted or made unready: each PDB's allowance (and
   * which PDBs select a pod) is the same for the whole plan, so it is computed once.
   */
  private pdbs: Pdbs | undefined;

  classify(): { c: Classified; pdbs: Pdbs } {
    const pdbs = (this.pdbs ??= pdbStates(this.input.pdbs, [...this.podsByNode.values()].flat()));
    const c = classify(this.nodes, this.podsByNode, this.input.pools, pdbs, {
      catalog: this.input.catalog,
      now: this.input.now,
      ...(this.input.surges ? { surges: this.input.surges } : {}),
    });
    const s = this.input.settle;
    const drift = eventualCandidates(c, this, pdbs, this.input.now);
    return { c: s ? settled(drift, { ...s, now: this.input.now.getTime() }) : drift, pdbs };
  }

  /** The decision carried out: nodes gone, new ones Ready, every moved pod bound where the plan put it. */
  apply(d: Decision): void {
    const gone = new Set(d.remove.map((n) => n.name));
    const moved = new Map(d.remove.flatMap((n) => n.moving).map((p) => [podId(p), p]));
    this.nodes = [
      ...this.nodes.filter((n) => !gone.has(n.metadata?.name ?? '')),
      ...d.launch.map((p) => launchedNode(p, this.input.catalog, this.input.now)),
    ];
    for (const name of gone) {
      this.podsByNode.delete(name);
      this.views.delete(name);
    }
    for (const b of d.bindings) {
      const pod = moved.get(b.pod);
      if (!pod) continue;
      const rebound = structuredClone(pod);
      if (rebound.spec) rebound.spec.nodeName = b.node;
      this.podsByNode.set(b.node, [...(this.podsByNode.get(b.node) ?? []), rebound]);
    }
  }
}

function decisionOut(d: Decision, before: number, after: number): DecisionOut {
  return {
    method: d.method,
    remove: d.remove.map((n) => n.name),
    launch: d.launch.map((n) => ({
      name: n.name,
      nodePool: n.nodePool,
      instanceType: n.instanceType,
      zone: n.zone,
      capacityType: n.capacityType,
      pricePerHour: n.pricePerHour,
      pods: [...n.pods],
    })),
    moves: d.bindings.map((b) => ({ pod: b.pod, node: b.node })),
    pricePerHourBefore: before,
    pricePerHourAfter: after,
    ...(d.scores
      ? {
          balanced: [...d.scores].map(([nodePool, s]) => ({
            nodePool,
            // JSON has no infinity: a move that disrupts nothing scores null.
            score: Number.isFinite(s.score) ? round(s.score) : null,
            threshold: s.threshold,
            savingsPercent: round(s.savingsFraction * 100),
            disruptionPercent: round(s.disruptionFraction * 100),
            message: scoreMessage(s),
          })),
        }
      : {}),
  };
}

function nodesOut(c: Classified, cluster: Cluster): NodeOut[] {
  return [...c.managed.values()].map((n) => ({
    name: n.name,
    instanceType: n.instanceType,
    zone: n.zone,
    capacityType: n.capacityType,
    pricePerHour: n.price,
    pods: (cluster.podsByNode.get(n.name) ?? []).filter(moves).map(podId),
  }));
}

export function planConsolidation(input: ConsolidationInput): ConsolidationPlan {
  const started = performance.now();
  const cluster = new Cluster(input);
  const o = {
    now: input.now,
    spotToSpot: input.spotToSpot,
    ...(input.minSavings ? { minSavings: input.minSavings } : {}),
  };
  const decisions: DecisionOut[] = [];
  let firstDecision: number | undefined;
  let { c, pdbs } = cluster.classify();
  const before = { pricePerHour: total(c), nodes: c.managed.size };
  const refusals: Refusals = new Map();
  for (let i = 0; i < (input.maxDecisions ?? 10_000); i++) {
    const w = cluster.world(i);
    refusals.clear();
    const d = nextDecision(w, c, pdbs, o, refusals);
    if (!d) break;
    firstDecision ??= performance.now() - started;
    const priceBefore = total(c);
    cluster.apply(d);
    ({ c, pdbs } = cluster.classify());
    decisions.push(decisionOut(d, priceBefore, total(c)));
  }
  const kept = [
    ...c.kept,
    ...c.candidates.map((n) => ({ node: n.name, reason: stayReason(n, c, refusals, input.now) })),
  ];
  return {
    decisions,
    kept: kept.sort((a, b) => a.node.localeCompare(b.node)),
    before,
    after: { nodes: nodesOut(c, cluster), pricePerHour: total(c) },
    millis: { firstDecision, total: performance.now() - started },
  };
}
