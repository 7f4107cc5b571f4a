/**
 * The pods a shrinking workload will bring back. A Deployment that an HPA or a schedule moves up and
 * down empties nodes at each low, and emptiness removes them once consolidateAfter has passed; the next
 * high buys them again (on bench:cluster's churn workload, 558 removals an hour). A workload that has
 * come back after shrinking within the window (policies.yaml
 * `provisioner.consolidation.returningPodsWindowSeconds`, default 300, as an HPA's scale-down
 * stabilization window) is expected back at its peak of that window: the pods it is short of keep their
 * room, as pods on their way do (waiting.ts), so the nodes that hold it stay and no consolidation takes
 * it. A workload that only shrank (a scale-in) brings nothing back: its nodes go as before. Karpenter
 * has no such wait (consolidateAfter only counts from the last pod event, kubernetes-sigs/karpenter
 * #2705); Berth's NodePool fields keep Karpenter's meaning, and the window is Berth's own. Pure but for
 * the history it keeps.
 */
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { pinnedNode } from '../../kube/pod-pins.js';
import { withoutClaimedVolumes } from '../../scheduling/capacity-buffer.js';
import { deploymentNameOf } from './surge.js';

/** The annotation a returning pod carries: the workload it is the room of. */
export const RETURNING_ANNOTATION = 'berth.dev/returning-for';

/** The workload a pod belongs to (`namespace/Kind/name`): a Deployment, through its ReplicaSet, or a StatefulSet. */
export function workloadOf(p: V1Pod): string | undefined {
  const owner = p.metadata?.ownerReferences?.find((o) => o.controller === true);
  const ns = p.metadata?.namespace ?? 'default';
  if (owner?.kind === 'StatefulSet') return `${ns}/StatefulSet/${owner.name}`;
  if (owner?.kind !== 'ReplicaSet') return undefined;
  // A Deployment's ReplicaSets are one workload: a rollout is no shrink.
  const deployment = deploymentNameOf(p);
  return deployment !== undefined ? `${ns}/Deployment/${deployment}` : `${ns}/ReplicaSet/${owner.name}`;
}

const counts = (p: V1Pod): boolean =>
  p.metadata?.deletionTimestamp === undefined &&
  p.status?.phase !== 'Succeeded' &&
  p.status?.phase !== 'Failed';

interface Sample {
  readonly at: number;
  readonly pods: number;
}

/**
 * How long a count must hold to be a change of the workload's size. An evicted pod is gone for the
 * moment its ReplicaSet takes to make it again: counted as it came, each drain at a low read as a
 * shrink and a return, and the provisioner kept room for the workload's peak while it placed the
 * evicted pods (on bench:cluster's churn workload it bought five nodes for them). An HPA moves a
 * workload at most every 15 s.
 */
export const SETTLE_MS = 10_000;

interface History {
  /** Counts that held SETTLE_MS, oldest first; the first is the count as the window opens. */
  samples: Sample[];
  /** A count seen since `at` that has not held SETTLE_MS yet. */
  pending?: Sample;
  /** The count as last seen. */
  live: number;
  /** A pod of the workload as last seen: the shape its returning pods take. */
  shape: V1Pod;
  /** Its returning pods as last made (the same objects while the shape and count stay). */
  made?: { readonly shape: V1Pod; readonly pods: readonly V1Pod[] };
}

/** Whether a workload came back after shrinking within the samples, and its peak there. */
function cameBackIn(samples: readonly Sample[]): { returned: boolean; peak: number } {
  let fell = false;
  let returned = false;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample;
    peak = Math.max(peak, s.pods);
    const before = samples[i - 1];
    if (before === undefined) continue;
    if (s.pods < before.pods) fell = true;
    else if (s.pods > before.pods && fell) returned = true;
  }
  return { returned, peak };
}

/**
 * How many pods a workload is short of its peak (`now`: its count now, by default the last sample's), if
 * it came back after shrinking within the samples.
 */
export function shortOfPeak(
  samples: readonly Sample[],
  now = samples[samples.length - 1]?.pods ?? 0,
): number {
  const { returned, peak } = cameBackIn(samples);
  return returned ? Math.max(0, peak - now) : 0;
}

/** The count seen at `now` into the settled samples: a count is a sample once it has held SETTLE_MS. */
function settle(h: History, pods: number, now: number): void {
  const p = h.pending;
  if (h.samples.length === 0) {
    h.samples.push({ at: now, pods });
    return;
  }
  // It held from when it was first seen until now at least (changed now, or still the same).
  if (p && now - p.at >= SETTLE_MS) {
    h.samples.push(p);
    delete h.pending;
  }
  if (h.pending?.pods === pods) return;
  const last = (h.samples[h.samples.length - 1] as Sample).pods;
  if (pods === last) delete h.pending;
  else h.pending = { at: now, pods };
}

/** The pod's spec without its pin to a Node (a pin names one by `matchFields metadata.name`). */
function unpinned(p: V1Pod, spec: V1PodSpec): void {
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required || pinnedNode(p) === undefined) return;
  for (const t of required.nodeSelectorTerms)
    if (t.matchFields) t.matchFields = t.matchFields.filter((f) => f.key !== 'metadata.name');
}

/** The pod as one to come: no node, no pin to one, no claimed volume, no scheduling gate. */
function asReturning(p: V1Pod, workload: string, i: number): V1Pod {
  const spec: V1PodSpec = structuredClone(p.spec ?? { containers: [] });
  delete spec.nodeName;
  delete spec.schedulingGates;
  unpinned(p, spec);
  withoutClaimedVolumes(spec);
  const name = `${p.metadata?.name ?? 'pod'}-returning-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: p.metadata?.namespace ?? 'default',
      uid: `${workload}/returning-${i}`,
      labels: { ...(p.metadata?.labels ?? {}) },
      annotations: { [RETURNING_ANNOTATION]: workload },
      ...(p.metadata?.ownerReferences ? { ownerReferences: p.metadata.ownerReferences } : {}),
    },
    spec,
    status: { phase: 'Pending' },
  };
}

/**
 * Each workload's pod count over the window, and the returning pods of those that came back after
 * shrinking. `observe` is handed the cache's pods each round, the pods that round plans with.
 */
export class ReturningPods {
  private readonly workloads = new Map<string, History>();

  constructor(private readonly windowMs: () => number) {}

  /**
   * The returning pods of the pods a round reads, observed first: disruption and the provisioner count
   * them from the same pods they plan with (counted a second before, a disruption round at the start of
   * a low read the pods gone and no room kept for them).
   */
  current(pods: readonly V1Pod[], now: number): V1Pod[] {
    this.observe(pods, now);
    return this.pods();
  }

  observe(pods: readonly V1Pod[], now: number): void {
    const seen = new Map<string, { pods: number; shape: V1Pod }>();
    for (const p of pods) {
      if (!counts(p)) continue;
      const w = workloadOf(p);
      if (w === undefined) continue;
      const s = seen.get(w);
      if (s) s.pods += 1;
      else seen.set(w, { pods: 1, shape: p });
    }
    for (const [w, h] of this.workloads) if (!seen.has(w)) this.record(w, h, 0, now);
    for (const [w, s] of seen) {
      const h = this.workloads.get(w);
      if (h) h.shape = s.shape;
      this.record(w, h ?? { samples: [], live: s.pods, shape: s.shape }, s.pods, now);
    }
  }

  private record(w: string, h: History, pods: number, now: number): void {
    h.live = pods;
    settle(h, pods, now);
    // The count as the window opens stays (the sample before it); older ones go.
    const from = now - this.windowMs();
    while (h.samples.length > 1 && (h.samples[1] as Sample).at <= from) h.samples.shift();
    if (h.samples.length === 1 && h.samples[0]?.pods === 0 && pods === 0) this.workloads.delete(w);
    else this.workloads.set(w, h);
  }

  /**
   * The workloads that came back after shrinking within the window, short of their peak or not (none
   * when the window is 0): at a high, one workload's pods are all made while another's are still coming.
   */
  cameBack(): Set<string> {
    const out = new Set<string>();
    if (this.windowMs() <= 0) return out;
    for (const [w, h] of this.workloads) if (cameBackIn(h.samples).returned) out.add(w);
    return out;
  }

  /** The returning pods of every workload short of its peak (none when the window is 0). */
  pods(): V1Pod[] {
    if (this.windowMs() <= 0) return [];
    const out: V1Pod[] = [];
    for (const [w, h] of this.workloads) {
      const short = shortOfPeak(h.samples, h.live);
      if (h.made?.shape !== h.shape || h.made.pods.length !== short)
        h.made = {
          shape: h.shape,
          pods: Array.from({ length: short }, (_, i) => asReturning(h.shape, w, i + 1)),
        };
      out.push(...h.made.pods);
    }
    return out;
  }
}
