/**
 * The solver's working state: the bins (existing nodes first, then new claims in creation order), the
 * pools by weight, the topology counts and the placements made so far.
 */
import { LABEL } from '../../catalog/instance-type.js';
import type { BoundPod, SolverInput, SolverPod } from './model.js';
import { requirementsKey } from '../../scheduling/placement.js';
import { Bin, type PoolState } from './bin.js';
import { emptyUsage, poolOption, type PoolOption } from './pools.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { Topology, type DomainOf, type PodTopology } from './topology.js';
import { allows } from '../../scheduling/requirements.js';
import { resKey } from './resources.js';

export interface Placed {
  pod: string;
  node: string;
}

export class SolverState {
  readonly topology = new Topology();
  readonly bins: Bin[] = [];
  readonly bindings: Placed[] = [];
  /** Pools Berth provisions for, grouped by weight (highest first). */
  readonly tiers: PoolState[][];
  readonly pools: PoolState[];
  private readonly keys = new Map<SolverPod, string>();
  private readonly shapes = new Map<SolverPod, string>();
  private readonly zoneMemo = new Map<string, string[]>();
  private seq = 0;

  constructor(
    readonly input: SolverInput,
    /** Constrained pods take room already paid for before growing a claim (see SolverInput.placement). */
    readonly roomFirst = false,
  ) {
    this.pools = input.pools
      .filter((p) => !p.autoMode && p.replicas === undefined)
      .map((view) => ({ option: memoOption(input, view), reserved: emptyUsage() }));
    const weights = [...new Set(this.pools.map((p) => p.option.view.weight))].sort((a, b) => b - a);
    this.tiers = weights.map((w) =>
      this.pools
        .filter((p) => p.option.view.weight === w)
        .sort((a, b) => a.option.view.name.localeCompare(b.option.view.name)),
    );
    this.topology.register(input.pods);
    // Bound pods only count for topology terms; with none anywhere there is nothing to count (exact,
    // and what makes a disruption simulation over a thousand busy nodes cheap).
    const counted =
      input.pods.some(hasTerms) ||
      input.nodes.some((n) => n.pods.some((p) => (p.antiAffinity?.length ?? 0) > 0));
    const bound = counted ? input.nodes.map((n) => n.pods.map(asPod)) : [];
    for (const pods of bound) this.topology.register(pods);
    input.nodes.forEach((node, i) => {
      const bin = Bin.ofNode(node);
      this.bins.push(bin);
      for (const p of bound[i] ?? []) this.topology.record(this.topology.of(p), domainsOf(bin));
    });
  }

  /**
   * Pods of one shape are interchangeable: the same requests, counted in the same topology groups.
   * Labels no selector reads do not tell pods apart (keying on them made every Deployment's pods a
   * shape of their own, and packing quadratic in pods).
   */
  shapeKey(pod: SolverPod): string {
    let k = this.shapes.get(pod);
    if (k === undefined) {
      const r = pod.requests;
      const groups = this.topology.matching(pod.namespace, pod.labels).map((g) => g.id);
      k = `${resKey(r)}/${groups.join('\u0001')}`;
      this.shapes.set(pod, k);
    }
    return k;
  }

  /** Pods with the same node requirements and tolerations share compatibility answers. */
  placementKey(pod: SolverPod): string {
    let k = this.keys.get(pod);
    if (k === undefined) {
      k = JSON.stringify([pod.terms.map(requirementsKey), pod.tolerations]);
      this.keys.set(pod, k);
    }
    return k;
  }

  newName(): string {
    this.seq += 1;
    return `${this.input.namePrefix ?? 'berth-'}${String(this.seq).padStart(4, '0')}`;
  }

  /** Zones a zone spread counts over for this pod: zones some pool offers that its terms allow. */
  zoneDomains(pod: SolverPod): string[] {
    const key = this.placementKey(pod);
    const hit = this.zoneMemo.get(key);
    if (hit) return hit;
    const zones = new Set<string>();
    for (const p of this.pools) {
      for (const z of p.option.zones) {
        if (
          pod.terms.some((t) => {
            const r = t.get(LABEL.zone);
            return r === undefined || allows(r, z);
          })
        )
          zones.add(z);
      }
    }
    const out = [...zones].sort();
    this.zoneMemo.set(key, out);
    return out;
  }

  place(
    bin: Bin,
    pods: readonly SolverPod[],
    topo: PodTopology | undefined,
    narrowed: Parameters<Bin['add']>[2],
  ): void {
    const first = pods[0];
    if (!first) return;
    bin.add(
      pods.map((p) => p.id),
      first.requests,
      narrowed,
    );
    if (topo) this.topology.record(topo, domainsOf(bin), pods.length);
    for (const p of pods) this.bindings.push({ pod: p.id, node: bin.name });
  }
}

function memoOption(input: SolverInput, view: PoolView): PoolOption {
  const hit = input.poolMemo?.get(view);
  if (hit) return hit;
  const option = poolOption(input, view);
  input.poolMemo?.set(view, option);
  return option;
}

function hasTerms(p: SolverPod): boolean {
  return p.spread.length + p.affinity.length + p.antiAffinity.length > 0;
}

/** A bound pod as the topology sees it: its labels count, its anti-affinity binds others. */
function asPod(p: BoundPod): SolverPod {
  return { ...p, spread: [], affinity: [], antiAffinity: p.antiAffinity ?? [], terms: [], tolerations: [] };
}

export function domainsOf(bin: Bin): DomainOf {
  return (key) => bin.domain(key);
}
