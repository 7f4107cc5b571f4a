/**
 * When Berth's scheduling gate comes off a pod (admission/gate.ts puts it on). A gated pod waits
 * while the provisioner's last round put it on capacity that cannot take it yet (a claim in flight,
 * a Node not Ready); it is released once a round plans it anywhere else — room that is there, the
 * node it was launched for now joined, or nowhere (kube-scheduler then says why, as for any pod) —
 * and in any case once it has been gated `maxGatedMs`, or at once when gates are off (policies, the
 * provisioner idle or not leading). A pod no round has planned yet stays gated until one does. Pods
 * with a DoNotSchedule topology spread go in layers the scheduler cannot reorder into a skew
 * (spread-lifts.ts). Pure.
 */
import { spreadSafe, type SpreadFact } from './spread-lifts.js';

/**
 * A pod behind Berth's gate: its solver id (`namespace/name`), when it was created (ms), and how
 * large its requests are (any measure that orders pods by size; 0 when unknown).
 */
export interface GatedPod {
  readonly id: string;
  readonly createdAt: number;
  readonly size?: number;
}

/** What the last provisioner round said of the pods it planned. */
export interface RoundGates {
  readonly planned: ReadonlySet<string>;
  readonly awaitingCapacity: ReadonlySet<string>;
  /** Pods the round could place on no NodePool. */
  readonly unplaceable: ReadonlySet<string>;
  /** The Node each pod planned on capacity that is there was planned onto (by Node name). */
  readonly targets?: ReadonlyMap<string, string>;
  /** The DoNotSchedule spreads of the pods placed on Nodes that are there (spread-lifts.ts). */
  readonly spread?: ReadonlyMap<string, readonly SpreadFact[]>;
}

/** Why a gate came off (`berth_scheduling_gates_lifted_total{reason}`). */
export type LiftReason = 'capacity' | 'unplaceable' | 'expired' | 'off';

export interface Lift {
  readonly id: string;
  readonly reason: LiftReason;
  /** The Node the plan put the pod on, to steer kube-scheduler there ('capacity' only). */
  readonly node?: string;
}

/** Gated longest before the gate comes off whatever the plan says (a claim never joining takes 15). */
export const MAX_GATED_MS = 5 * 60_000;

/**
 * The gates to lift now, largest pods first, each pod planned on capacity that is there with the Node
 * the plan put it on. kube-scheduler tries pods in the order they become schedulable and spreads them
 * (LeastAllocated): small pods let through first take the room the plan kept for large ones on the
 * nodes bought for them, and a large pod is left without a node — unless it is steered to the plan's
 * node (kube/pod-gates.ts) and, failing that, meets the room first.
 */
export function gatesToLift(
  gated: readonly GatedPod[],
  round: RoundGates | undefined,
  o: { readonly now: number; readonly on: boolean; readonly maxGatedMs?: number },
): Lift[] {
  return liftPlan(gated, round, o).lifts;
}

/**
 * gatesToLift's lifts, and how many pods planned on capacity that is there wait for pods of their
 * spread to bind first (a bind is then worth another look).
 */
export function liftPlan(
  gated: readonly GatedPod[],
  round: RoundGates | undefined,
  o: { readonly now: number; readonly on: boolean; readonly maxGatedMs?: number },
): { lifts: Lift[]; spreadWaiting: number } {
  const max = o.maxGatedMs ?? MAX_GATED_MS;
  const out: { lift: Lift; size: number }[] = [];
  for (const p of gated) {
    const reason = liftReason(p, round, o.on, o.now - p.createdAt > max);
    if (!reason) continue;
    const node = reason === 'capacity' ? round?.targets?.get(p.id) : undefined;
    const lift: Lift = node === undefined ? { id: p.id, reason } : { id: p.id, reason, node };
    out.push({ lift, size: p.size ?? 0 });
  }
  const sorted = out.sort((a, b) => b.size - a.size).map((x) => x.lift);
  const facts = round?.spread;
  if (!facts || facts.size === 0) return { lifts: sorted, spreadWaiting: 0 };
  const gatedIds = new Set(gated.map((p) => p.id));
  const inHands = [...round.planned].filter((id) => !gatedIds.has(id));
  const capacity = sorted.filter((l) => l.reason === 'capacity');
  const { waiting } = spreadSafe(capacity, facts, inHands);
  const wait = new Set(waiting);
  return { lifts: sorted.filter((l) => !wait.has(l)), spreadWaiting: wait.size };
}

function liftReason(
  p: GatedPod,
  round: RoundGates | undefined,
  on: boolean,
  expired: boolean,
): LiftReason | undefined {
  if (!on) return 'off';
  if (expired) return 'expired';
  if (!round?.planned.has(p.id) || round.awaitingCapacity.has(p.id)) return undefined;
  return round.unplaceable.has(p.id) ? 'unplaceable' : 'capacity';
}
