/** pdb-missing, single-replica, naked-pod, local-storage, do-not-disrupt, grace-period. */
import { isObject } from '../../kube/objects.js';
import { isLongRunning, isReplicated } from '../../kube/workload.js';
import type { WorkloadFacts } from '../context.js';
import { NONE, bool, num, workloadOf, type Finding, type Rule } from './rule.js';
import { DO_NOT_DISRUPT, doNotDisruptDuration } from '../../kube/do-not-disrupt.js';
import type { Params } from '../policies.js';
import { count } from '../../util/canonical.js';

/** Whether the workload's nodes may be taken away: its class consolidates or it may run on spot. */
function disruptable(w: WorkloadFacts, params: Params): { yes: boolean; why: string } {
  const cls = w.runtimeClass;
  if (!cls)
    return { yes: bool(params, 'unclassifiedDisruptable', true), why: 'nodes that may be consolidated' };
  const spot = cls.spotAllowed === true && w.profile?.spec.cost?.spotAllowed !== false;
  if (cls.consolidates !== false)
    return { yes: true, why: `runtime class ${w.className ?? ''}, which consolidates nodes` };
  return spot
    ? { yes: true, why: `runtime class ${w.className ?? ''}, which uses spot` }
    : { yes: false, why: '' };
}

export const pdbMissing: Rule = {
  id: 'pdb-missing',
  defaultMode: 'warn',
  defaultParams: { unclassifiedDisruptable: true },
  description: 'A workload with 2 or more replicas on a disruptable class and no PDB.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || !isReplicated(w.obj.kind) || w.replicas < 2 || w.pdbs.length > 0) return NONE;
    const d = disruptable(w, input.params);
    if (!d.yes) return NONE;
    return [
      {
        what: `${count(w.replicas, 'replica')}${w.replicasNote} on ${d.why}, and no PodDisruptionBudget selects its pods`,
        brief: `${count(w.replicas, 'replica')} and no PodDisruptionBudget`,
        fix: w.profile
          ? 'set disruption.maxUnavailable: 1 in its WorkloadProfile'
          : 'add a PodDisruptionBudget with maxUnavailable: 1',
      },
    ];
  },
};

export const singleReplica: Rule = {
  id: 'single-replica',
  defaultMode: 'warn',
  defaultParams: { unclassifiedDisruptable: true },
  description: 'Fewer than 2 replicas on a class that consolidates or uses spot.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || !isReplicated(w.obj.kind)) return NONE;
    const replicas = w.hpa ? (w.hpa.spec.minReplicas ?? 1) : w.replicas;
    if (replicas >= 2 || replicas === 0) return NONE;
    const d = disruptable(w, input.params);
    if (!d.yes) return NONE;
    const { field, briefFix } = replicaField(w);
    return [
      {
        what: `${field} is ${replicas} on ${d.why}: each node disruption is an outage`,
        brief: `${count(replicas, 'replica')}: each node disruption is an outage`,
        briefFix,
        fix: `set ${field} to 2 or more`,
      },
    ];
  },
};

/** The field of the object the user can change (its profile only when it has one), and the fix in brief. */
function replicaField(w: WorkloadFacts): { field: string; briefFix: string } {
  if (w.hpa)
    return {
      field: `HorizontalPodAutoscaler ${w.hpa.metadata?.name ?? ''} minReplicas`,
      briefFix: 'raise its HPA minReplicas to 2 or more',
    };
  if (w.declared === undefined && w.profile)
    return {
      field: `WorkloadProfile ${w.profileName ?? ''}'s availability.minReplicas`,
      briefFix: "raise its profile's availability.minReplicas to 2 or more",
    };
  return { field: 'spec.replicas', briefFix: 'set spec.replicas to 2 or more' };
}

export const nakedPod: Rule = {
  id: 'naked-pod',
  defaultMode: 'warn',
  description: 'A pod with no controller: drain refuses it and nothing recreates it.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || w.obj.kind !== 'Pod') return NONE;
    const refs: unknown = w.obj.metadata?.ownerReferences;
    const owners = Array.isArray(refs) ? (refs as unknown[]) : [];
    if (owners.some((o) => isObject(o) && o.controller === true)) return NONE;
    const note = owners.length > 0 ? ' (its ownerReferences name no controller: true)' : '';
    return [
      {
        what: `the pod has no controller${note}; kubectl drain refuses it and nothing recreates it`,
        brief: 'no controller: drain refuses it, nothing recreates it',
        fix: 'run it from a Deployment, StatefulSet or Job',
      },
    ];
  },
};

const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const SAFE_LOCAL_VOLUMES = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

export const localStorage: Rule = {
  id: 'local-storage',
  defaultMode: 'warn',
  description: 'emptyDir (not medium Memory) or hostPath volumes, unless marked safe to evict.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || w.obj.kind === 'DaemonSet') return NONE;
    const ann = w.template.metadata.annotations ?? {};
    if (ann[SAFE_TO_EVICT] === 'true') return NONE;
    const safe = new Set((ann[SAFE_LOCAL_VOLUMES] ?? '').split(',').map((s) => s.trim()));
    const local: string[] = [];
    for (const v of w.spec.volumes ?? []) {
      if (safe.has(v.name)) continue;
      const sources = Object.keys(v).filter((k) => k !== 'name');
      if (v.hostPath) local.push(`${v.name} (hostPath)`);
      else if (v.emptyDir && v.emptyDir.medium !== 'Memory') local.push(`${v.name} (emptyDir)`);
      else if (sources.length === 0) local.push(`${v.name} (no source: an emptyDir)`);
    }
    if (local.length === 0) return NONE;
    return [
      {
        what: `volumes ${local.join(', ')} keep data on the node; draining it loses them`,
        brief: `volumes ${local.map((l) => l.split(' ')[0]).join(', ')} lose their data on drain`,
        briefFix: 'use a PersistentVolumeClaim or mark them safe to evict',
        fix: `move the data to a PersistentVolumeClaim, or annotate the pod template ${SAFE_LOCAL_VOLUMES}: "${local.map((l) => l.split(' ')[0]).join(',')}"`,
      },
    ];
  },
};

const DEPRECATED: readonly [string, string][] = [
  ['karpenter.sh/do-not-evict', 'true'],
  [SAFE_TO_EVICT, 'false'],
];

/** What karpenter.sh/do-not-disrupt on a long-running template does, as Karpenter v1.12+ reads it. */
function doNotDisruptFinding(value: string, maxMinutes: number): Finding | undefined {
  const key = DO_NOT_DISRUPT;
  if (value === 'true')
    return {
      what: `annotation ${key}: "true" blocks consolidation and drain of its node for good`,
      brief: `do-not-disrupt: "true" blocks its node's drain for good`,
      briefFix: 'remove it, or set a duration ("30m")',
      fix: `remove ${key}, or bound it with a duration of at most ${maxMinutes}m (e.g. "${Math.min(30, maxMinutes)}m") so each pod is protected only after it starts`,
    };
  const ms = doNotDisruptDuration(value);
  if (ms === undefined)
    return {
      what: `annotation ${key}: "${value}" is neither "true" nor a positive duration, so Karpenter ignores it and it protects nothing`,
      brief: `do-not-disrupt: "${value}" is not a duration: Karpenter ignores it`,
      briefFix: 'set a duration such as "30m"',
      fix: `set it to a duration such as "30m", or remove it`,
    };
  if (ms <= maxMinutes * 60_000) return undefined;
  return {
    what: `annotation ${key}: "${value}" keeps each pod's node from consolidation and drain for ${value} after the pod starts, above the ${maxMinutes}m allowed`,
    brief: `do-not-disrupt: "${value}" is above the ${maxMinutes}m allowed`,
    briefFix: `set it to "${maxMinutes}m" or less, or remove it`,
    fix: `set ${key} to "${maxMinutes}m" or less, or remove it`,
  };
}

export const doNotDisrupt: Rule = {
  id: 'do-not-disrupt',
  defaultMode: 'warn',
  defaultParams: { maxGraceMinutes: 60 },
  description:
    'karpenter.sh/do-not-disrupt: "true" (or its deprecated forms) on a long-running workload blocks consolidation forever; a duration ("30m", Karpenter v1.12) is bounded and judged against maxGraceMinutes; a value Karpenter cannot read protects nothing.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || !isLongRunning(w.obj.kind) || w.obj.kind === 'DaemonSet') return NONE;
    const ann = w.template.metadata.annotations ?? {};
    const out: Finding[] = [];
    const value = ann[DO_NOT_DISRUPT];
    const own =
      value === undefined ? undefined : doNotDisruptFinding(value, num(input.params, 'maxGraceMinutes', 60));
    if (own) out.push(own);
    for (const [k, v] of DEPRECATED)
      if (ann[k] === v)
        out.push({
          what: `annotation ${k}: "${v}" blocks consolidation and drain of its node for good`,
          brief: `${k.slice(k.indexOf('/') + 1)}: "${v}" blocks its node's drain for good`,
          briefFix: 'remove the annotation',
          fix: `remove ${k} (use it only on run-to-completion pods such as Jobs)`,
        });
    return out;
  },
};

export const gracePeriod: Rule = {
  id: 'grace-period',
  defaultMode: 'warn',
  defaultParams: { maxSeconds: 300 },
  description: 'terminationGracePeriodSeconds above the policy maximum.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    const max = num(input.params, 'maxSeconds', 300);
    const value = w?.spec.terminationGracePeriodSeconds;
    if (value === undefined || value <= max) return NONE;
    return [
      {
        what: `terminationGracePeriodSeconds ${value} exceeds the maximum of ${max}s`,
        briefFix: `lower it to ${max} or less`,
        fix: `set terminationGracePeriodSeconds to ${max} or less`,
      },
    ];
  },
};
