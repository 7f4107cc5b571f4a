/** What disruption needs to know of a pod and a PDB: who drain moves, who blocks, what a budget allows. */
import type { V1Pod } from '@kubernetes/client-node';
import { selectorMatches } from '../../kube/selector.js';
import { isDaemonSetPod } from '../../kube/workload.js';
import { describeBudget, disruptionsAllowed } from '../../policies/disruption.js';
import type { PDB } from '../../policies/view.js';
import { DO_NOT_DISRUPT, doNotDisruptDuration } from '../../kube/do-not-disrupt.js';

export { DO_NOT_DISRUPT };
const MIRROR = 'kubernetes.io/config.mirror';
const CRITICAL: ReadonlySet<string> = new Set(['system-cluster-critical', 'system-node-critical']);

const controllerOf = (pod: V1Pod) => pod.metadata?.ownerReferences?.find((o) => o.controller === true);

export const podId = (pod: V1Pod): string =>
  `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
export const isMirror = (pod: V1Pod): boolean => pod.metadata?.annotations?.[MIRROR] !== undefined;
export const isTerminal = (pod: V1Pod): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
export const hasController = (pod: V1Pod): boolean => controllerOf(pod) !== undefined;
export const isCritical = (pod: V1Pod): boolean => CRITICAL.has(pod.spec?.priorityClassName ?? '');

/**
 * Pods a drain evicts and the scheduler places elsewhere: not a DaemonSet's, not mirror, not finished,
 * not already being deleted (a node holding only those is empty; its drain waits out their grace).
 */
export function moves(pod: V1Pod): boolean {
  return (
    !isDaemonSetPod(pod) &&
    !isMirror(pod) &&
    !isTerminal(pod) &&
    pod.metadata?.deletionTimestamp === undefined
  );
}

/** A node's `karpenter.sh/do-not-disrupt`: only "true" counts on a node (Karpenter's StateNode). */
export function doNotDisrupt(meta: { annotations?: Record<string, string> } | undefined): boolean {
  return meta?.annotations?.[DO_NOT_DISRUPT] === 'true';
}

/**
 * Why a pod's `karpenter.sh/do-not-disrupt` protects it now, or undefined when it does not, as
 * Karpenter v1.12+ reads it (pkg/utils/pod/scheduling.go IsDoNotDisruptActive): "true" protects for
 * good; a positive Go duration ("30m") protects for that long from the pod's status.startTime (with no
 * start time yet, it protects); any other value is read as no annotation at all.
 */
export function podProtection(pod: V1Pod, now: Date): string | undefined {
  const value = pod.metadata?.annotations?.[DO_NOT_DISRUPT];
  if (value === undefined) return undefined;
  const said = `pod ${podId(pod)} has ${DO_NOT_DISRUPT}: "${value}"`;
  if (value === 'true') return said;
  const ms = doNotDisruptDuration(value);
  if (ms === undefined) return undefined;
  const started = pod.status?.startTime;
  if (started === undefined) return `${said} and has not started yet`;
  const until = new Date(new Date(started).getTime() + ms);
  if (!(until.getTime() > now.getTime())) return undefined;
  return `${said}, protected until ${until.toISOString()}`;
}

/** Ready, or with no status to say otherwise (a manifest offline). */
export function isReady(pod: V1Pod): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return ready === undefined || ready.status === 'True';
}

export interface PdbState {
  readonly pdb: PDB;
  /** `namespace/name`. */
  readonly id: string;
  /** Evictions the budget allows now. */
  readonly allowed: number;
  /** For messages: "minAvailable 3, 3 healthy". */
  readonly text: string;
  /** unhealthyPodEvictionPolicy: AlwaysAllow — an unready pod is evicted whatever the budget. */
  readonly alwaysAllow: boolean;
}

/** The PDBs and, per pod, those that select it (asked again and again: remembered per pod). */
export class Pdbs {
  private readonly byPod = new Map<string, PdbState[]>();
  private readonly byNamespace = new Map<string, PdbState[]>();

  constructor(readonly all: readonly PdbState[]) {
    for (const s of all) {
      const ns = s.pdb.metadata?.namespace ?? 'default';
      this.byNamespace.set(ns, [...(this.byNamespace.get(ns) ?? []), s]);
    }
  }

  over(pod: V1Pod): PdbState[] {
    const id = podId(pod);
    let hit = this.byPod.get(id);
    if (!hit) {
      hit = (this.byNamespace.get(pod.metadata?.namespace ?? 'default') ?? []).filter((s) =>
        selects(s.pdb, pod),
      );
      this.byPod.set(id, hit);
    }
    return hit;
  }
}

/**
 * Each PDB's allowance: `status.disruptionsAllowed` as the disruption controller wrote it; without a
 * status (files), computed from the spec with the matching pods that are ready.
 */
export function pdbStates(pdbs: readonly PDB[], pods: readonly V1Pod[]): Pdbs {
  const byNamespace = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? 'default';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), p]);
  }
  return new Pdbs(
    pdbs.map((pdb) => {
      const ns = pdb.metadata?.namespace ?? 'default';
      const id = `${ns}/${pdb.metadata?.name ?? ''}`;
      const alwaysAllow = pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow';
      const budget = describeBudget(pdb.spec ?? {});
      const status = pdb.status;
      if (status && typeof status.disruptionsAllowed === 'number')
        return {
          pdb,
          id,
          alwaysAllow,
          allowed: status.disruptionsAllowed,
          text: `${budget}, ${status.currentHealthy} healthy`,
        };
      const matching = (byNamespace.get(pdb.metadata?.namespace ?? 'default') ?? []).filter(
        (p) => selects(pdb, p) && !isTerminal(p),
      );
      const healthy = matching.filter(isReady).length;
      const all = disruptionsAllowed(pdb.spec ?? {}, matching.length);
      const allowed = Math.max(0, all.allowed - (matching.length - healthy));
      return { pdb, id, alwaysAllow, allowed, text: `${budget}, ${healthy} healthy` };
    }),
  );
}

/** policy/v1: a PDB selects the pods of its namespace its selector matches (an empty selector: all). */
export function selects(pdb: PDB, pod: V1Pod): boolean {
  if ((pdb.metadata?.namespace ?? 'default') !== (pod.metadata?.namespace ?? 'default')) return false;
  const selector = pdb.spec?.selector;
  if (selector === undefined) return false;
  return selectorMatches(selector, pod.metadata?.labels ?? {});
}
