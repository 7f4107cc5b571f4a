/**
 * Why a pod could not be placed, in words a person can act on: the NodePool that came closest and what
 * stopped it (a requirement, a taint, the largest instance type, the pool's limits, or the pod's
 * topology constraints).
 */
import { describeRequirement, intersect, satisfiable, allows } from '../../scheduling/requirements.js';
import { formatTaint, untoleratedTaint } from '../../scheduling/taints.js';
import { isInstanceLabel } from '../../scheduling/vocabulary.js';
import { narrow, wholePool, type PoolState } from './bin.js';
import type { SolverPod } from './model.js';
import { limitsReached, poolAllows, type PoolOption, type Usage } from './pools.js';
import { formatLimit, limitResourceName, type LimitKey } from '../../scheduling/nodepool.js';
import { ACCELERATOR_DIMS, fitsWith, ZERO, type Res } from './resources.js';
import type { SolverState } from './state.js';

interface Finding {
  distance: number;
  text: string;
}

/** What stops one NodePool taking a pod (`berth why pod` lists them; the closest is the Event's reason). */
export interface PoolFinding {
  readonly nodePool: string;
  readonly reason: string;
  /** Smaller is closer: 0 it could take the pod, 0.5 limits, 1 too small, 2 no type, 3 taint, 4 requirements. */
  readonly distance: number;
}

function formatRes(r: Res): string {
  const parts = [`cpu ${r.cpu}m`, `memory ${r.mem}Mi`];
  if (r.eph > 0) parts.push(`ephemeral-storage ${Math.ceil(r.eph)}Mi`);
  for (const [dim, name] of ACCELERATOR_DIMS) if (r[dim] > 0) parts.push(`${name} ${r[dim]}`);
  return parts.join(', ');
}

function requirementConflict(pod: SolverPod, option: PoolOption): string | undefined {
  for (const term of pod.terms) {
    for (const r of term.values()) {
      const own = option.view.requirements.get(r.key);
      if (own === undefined) {
        if (!isInstanceLabel(r.key, option.view.vocabulary) && !allows(r, undefined))
          return `requires ${describeRequirement(r)} but NodePool ${option.view.name} sets no ${r.key} label`;
      } else if (!satisfiable(intersect(own, r))) {
        return `requires ${describeRequirement(r)} but NodePool ${option.view.name} allows ${describeRequirement(own)}`;
      }
    }
  }
  return undefined;
}

function findingFor(pod: SolverPod, pool: PoolState, state: SolverState): Finding {
  const option = pool.option;
  const name = option.view.name;
  const conflict = requirementConflict(pod, option);
  if (conflict) return { distance: 4, text: conflict };
  const whole = wholePool(option);
  const types = pod.terms.flatMap((t) => narrow(option, whole, t, state.input.catalog)?.types ?? []);
  const taint = untoleratedTaint(option.view.taints, pod.tolerations);
  if (taint) {
    // A pool that would hold the pod but for its taint is closer than one whose types are too small.
    const holds = types.some((t) => fitsWith(t.cap, ZERO, pod.requests));
    return holds
      ? {
          distance: 0.9,
          text: `does not tolerate NodePool ${name}'s taint ${formatTaint(taint)}, whose instance types hold it (fix: add the toleration {key: ${taint.key}, operator: Exists, effect: ${taint.effect}})`,
        }
      : { distance: 3, text: `does not tolerate NodePool ${name}'s taint ${formatTaint(taint)}` };
  }
  if (types.length === 0)
    return {
      distance: 2,
      text: `no instance type NodePool ${name} allows meets its node requirements (or all are short of capacity)`,
    };
  const holding = types.filter((t) => fitsWith(t.cap, ZERO, pod.requests));
  if (holding.length === 0) {
    const big = types.reduce((a, b) =>
      b.cap.mem > a.cap.mem || (b.cap.mem === a.cap.mem && b.cap.cpu > a.cap.cpu) ? b : a,
    );
    return {
      distance: 1,
      text: `requests (${formatRes(pod.requests)}) exceed the largest instance type NodePool ${name} allows: ${big.type.name} holds ${formatRes(big.cap)} after daemonsets`,
    };
  }
  const reached = limitsReached(
    option,
    holding.map((t) => t.type),
    pool.reserved,
  );
  if (reached.length > 0) return { distance: 0.5, text: atLimits(option, pool.reserved, reached) };
  const constrained = pod.spread.length + pod.affinity.length + pod.antiAffinity.length > 0;
  return {
    distance: 0,
    text: constrained
      ? `its topology constraints cannot be met on NodePool ${name} (spread, affinity or anti-affinity)`
      : `NodePool ${name} could take it, but no capacity was left for it in this plan`,
  };
}

/** What a waiting pod's own Event and `berth why pod` say of it, from the closest NodePool's reason. */
export const noPoolFor = (reason: string): string => `no NodePool can launch a node for it: ${reason}`;

/**
 * Why the pod could not be placed: the closest NodePool's reason (the ProvisioningFailed Event's text)
 * and every pool's own, closest first.
 */
export function explainAll(state: SolverState, pod: SolverPod): { reason: string; pools: PoolFinding[] } {
  // A static pool that would take the pod: it keeps its count, and launches nothing for pending pods.
  const statics = state.input.pools
    .filter(
      (p) =>
        p.replicas !== undefined &&
        !untoleratedTaint(p.taints, pod.tolerations) &&
        pod.terms.some((t) => poolAllows(p, t)),
    )
    .map((p) => p.name);
  const pools = state.pools
    .map((p) => {
      const f = findingFor(pod, p, state);
      return { nodePool: p.option.view.name, reason: f.text, distance: f.distance };
    })
    .sort((a, b) => a.distance - b.distance || a.nodePool.localeCompare(b.nodePool));
  if (statics.length > 0)
    return {
      reason: `NodePool ${statics.join(', ')} is static (spec.replicas): it keeps a fixed node count, and no node is launched for a pending pod (fix: kubectl scale nodepool, or a dynamic NodePool)`,
      pools,
    };
  if (state.pools.length === 0) {
    const auto = state.input.pools.some((p) => p.autoMode);
    return {
      reason: auto
        ? 'no NodePool takes it: the NodePools are EKS Auto Mode pools and none of them takes it either'
        : 'no NodePool Berth provisions for',
      pools,
    };
  }
  return { reason: pools[0]?.reason ?? 'no NodePool can take it', pools };
}

export function explain(state: SolverState, pod: SolverPod): string {
  return explainAll(state, pod).reason;
}

/**
 * Which of a pool's limits stops it, naming each with its value and what its nodes (launched and
 * planned) already count: `NodePool small is at its limits: nodes 3 (3 launched or planned)`.
 */
function atLimits(option: PoolOption, reserved: Readonly<Usage>, keys: readonly LimitKey[]): string {
  const parts = keys.map((k) => {
    const limit = option.view.limits[k] ?? 0;
    const used = limit - option.remaining[k] + reserved[k];
    return `${limitResourceName(k)} ${formatLimit(k, limit)} (${formatLimit(k, used)} launched or planned)`;
  });
  return `NodePool ${option.view.name} is at its limits: ${parts.join(', ')}; no instance type that holds it fits under them (fix: raise spec.limits, or let the pod use another NodePool)`;
}
