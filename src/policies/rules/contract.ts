/** The contract between a workload and its profile: requests, limits, replicas, scaling, labels. */
import { memoryMiB } from '../../kube/quantity.js';
import { containerRequest, longRunningContainers, setAtPodLevel } from '../../kube/resources.js';
import { labelsOf } from '../../kube/objects.js';
import { isReplicated } from '../../kube/workload.js';
import { PROFILE_LABEL, profileNameFor } from '../compile/compile.js';
import { declaredMaxSurge, surgePods } from '../compile/surge.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';
import type { ClusterView, HPA } from '../view.js';
import type { Policies } from '../policies.js';
import { hpaTarget, type WorkloadFacts } from '../context.js';
import { NONE, bool, num, type Finding, type Rule } from './rule.js';
import { count } from '../../util/canonical.js';

/** How a message names a container: a native sidecar says where it lives. */
function containerName(name: string, sidecar: boolean): string {
  return sidecar ? `sidecar container ${name} (initContainers, restartPolicy: Always)` : `container ${name}`;
}

export const requestsMissing: Rule = {
  id: 'requests-missing',
  defaultMode: 'warn',
  description:
    'An app container without CPU or memory requests (nor limits, which they default from), where the pod sets none at pod level (spec.resources) either.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return NONE;
    const { w } = input;
    // A pod-level request (or limit, which it defaults from) covers every container for that resource.
    const open = (['cpu', 'memory'] as const).filter((r) => !setAtPodLevel(w.spec, r));
    return longRunningContainers(w.spec).flatMap(({ container: c, sidecar }) => {
      const missing = open.filter((r) => containerRequest(c, r) === undefined);
      if (missing.length === 0) return NONE;
      const name = containerName(c.name, sidecar);
      return [
        {
          what: `${name} has no ${missing.join(' or ')} request`,
          brief: `${c.name} has no ${missing.join(' or ')} request`,
          briefFix:
            w.profile && !sidecar
              ? 'set compute.cpuRequest and memoryRequest in its profile'
              : `set resources.requests on ${c.name}`,
          fix:
            w.profile && !sidecar
              ? `set compute.cpuRequest and compute.memoryRequest in WorkloadProfile ${w.profile.metadata.name}`
              : `set resources.requests.${missing.join(' and ')} on ${sidecar ? `sidecar ${c.name}` : name}`,
        },
      ];
    });
  },
};

export const limitRequestRatio: Rule = {
  id: 'limit-request-ratio',
  defaultMode: 'warn',
  defaultParams: { maxRatio: 2 },
  description: 'Memory limit / request above the policy maximum.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return NONE;
    const max = num(input.params, 'maxRatio', 2);
    return longRunningContainers(input.w.spec).flatMap(({ container: c, sidecar }) => {
      const req = memoryMiB(containerRequest(c, 'memory'));
      const lim = memoryMiB((c.resources?.limits as Record<string, string> | undefined)?.memory);
      if (req === undefined || lim === undefined || req === 0 || lim / req <= max) return NONE;
      const ratio = Math.round((lim / req) * 100) / 100;
      return [
        {
          what: `${containerName(c.name, sidecar)} memory limit is ${ratio}× its request (maximum ${max}×)`,
          brief: `memory limit ${ratio}× request`,
          fix: `raise the memory request to at least ${Math.ceil(lim / max)}Mi or lower the limit`,
        },
      ];
    });
  },
};

export const replicasBelowProfile: Rule = {
  id: 'replicas-below-profile',
  defaultMode: 'enforce',
  description: 'Explicit replicas (or HPA minReplicas) below the profile minimum.',
  targets: ['workload', 'hpa'],
  check(input) {
    if (input.target === 'workload') return replicasBelow(input.w);
    if (input.target !== 'hpa') return NONE;
    const p = profileOfHpaTarget(input.hpa, input);
    const min = p?.spec.availability?.minReplicas;
    const hmin = input.hpa.spec.minReplicas ?? 1;
    if (!p || min === undefined || hmin >= min) return NONE;
    return [
      {
        what: `minReplicas ${hmin} is below WorkloadProfile ${p.metadata.name}'s availability.minReplicas ${min}`,
        fix: `set minReplicas to ${min} or more`,
      },
    ];
  },
};

/** An HPA owns spec.replicas when present; its own minReplicas is checked on the HPA. */
function replicasBelow(w: WorkloadFacts): readonly Finding[] {
  const min = w.profile?.spec.availability?.minReplicas;
  const d = w.declared;
  if (!isReplicated(w.obj.kind) || min === undefined || d === undefined || d >= min || w.hpa) return NONE;
  return [
    {
      what: `spec.replicas ${d} is below WorkloadProfile ${w.profileName ?? ''}'s availability.minReplicas ${min}`,
      fix: `set replicas to ${min} or more`,
    },
  ];
}

export const replicasAboveProfile: Rule = {
  id: 'replicas-above-profile',
  defaultMode: 'enforce',
  description: 'Explicit replicas above the profile maximum.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return NONE;
    const max = input.w.profile?.spec.scaling?.maxReplicas;
    const d = input.w.declared;
    if (!isReplicated(input.w.obj.kind) || max === undefined || d === undefined || d <= max) return NONE;
    return [
      {
        what: `spec.replicas ${d} is above WorkloadProfile ${input.w.profileName ?? ''}'s scaling.maxReplicas ${max}`,
        fix: `set replicas to ${max} or fewer, or raise scaling.maxReplicas`,
      },
    ];
  },
};

function profileOfHpaTarget(
  hpa: HPA,
  input: { view: ClusterView; ref: { namespace: string }; policies: Policies },
): WorkloadProfile | undefined {
  const w = hpaTarget(hpa, input.view, input.ref.namespace);
  const name = w ? profileNameFor(w, input.policies, input.ref.namespace) : undefined;
  return name === undefined ? undefined : input.view.profile(input.ref.namespace, name);
}

function hpaFindings(hpa: HPA, p: WorkloadProfile, onHpa: boolean): Finding[] {
  const out: Finding[] = [];
  const max = p.spec.scaling?.maxReplicas;
  if (max !== undefined && hpa.spec.maxReplicas > max) {
    const subject = onHpa
      ? 'spec.maxReplicas'
      : `HorizontalPodAutoscaler ${hpa.metadata?.name ?? ''} maxReplicas`;
    out.push({
      what: `${subject} ${hpa.spec.maxReplicas} is above WorkloadProfile ${p.metadata.name}'s scaling.maxReplicas ${max}`,
      fix: `set the HPA's maxReplicas to ${max} or fewer`,
    });
  }
  return out;
}

export const hpaAboveProfile: Rule = {
  id: 'hpa-above-profile',
  defaultMode: 'enforce',
  description: 'An HPA whose maxReplicas exceeds the profile maximum.',
  targets: ['workload', 'hpa'],
  check(input) {
    if (input.target === 'workload')
      return input.w.hpa && input.w.profile ? hpaFindings(input.w.hpa, input.w.profile, false) : [];
    if (input.target !== 'hpa') return NONE;
    const p = profileOfHpaTarget(input.hpa, input);
    return p ? hpaFindings(input.hpa, p, true) : [];
  },
};

function scaleUpFindings(hpa: HPA, burst: number, maxScale: number): Finding[] {
  return (hpa.spec.behavior?.scaleUp?.policies ?? []).flatMap((pol) => {
    const pods = pol.type === 'Percent' ? Math.ceil((pol.value * maxScale) / 100) : pol.value;
    if (pods <= burst) return NONE;
    const shown =
      pol.type === 'Percent'
        ? `${pol.value}% (${count(pods, 'pod')} at ${count(maxScale, 'replica')})`
        : count(pol.value, 'pod');
    return [
      {
        what: `HPA scale-up policy adds ${shown} per ${pol.periodSeconds}s, above maxBurstPods ${burst}`,
        fix: `limit the scale-up policy to ${count(burst, 'pod')}`,
      },
    ];
  });
}

export const burstAboveProfile: Rule = {
  id: 'burst-above-profile',
  defaultMode: 'enforce',
  description: 'Rollout surge or HPA scale-up above the profile maxBurstPods.',
  targets: ['workload', 'hpa'],
  check(input) {
    if (input.target === 'hpa') {
      const burst = profileOfHpaTarget(input.hpa, input)?.spec.scaling?.maxBurstPods;
      return burst === undefined ? [] : scaleUpFindings(input.hpa, burst, input.hpa.spec.maxReplicas);
    }
    return input.target === 'workload' ? workloadBurst(input.w) : [];
  },
};

function workloadBurst(w: WorkloadFacts): readonly Finding[] {
  const burst = w.profile?.spec.scaling?.maxBurstPods;
  if (burst === undefined) return NONE;
  const out: Finding[] = [];
  const maxScale = Math.max(w.replicas, w.profile?.spec.scaling?.maxReplicas ?? 0);
  const surge = declaredMaxSurge(w.obj);
  if (surge !== undefined && surgePods(surge, maxScale) > burst) {
    out.push({
      what: `strategy.rollingUpdate.maxSurge ${String(surge)} adds ${count(surgePods(surge, maxScale), 'pod')} at ${count(maxScale, 'replica')}, above maxBurstPods ${burst}`,
      fix: `set maxSurge to ${burst} or less`,
    });
  }
  if (w.hpa) out.push(...scaleUpFindings(w.hpa, burst, w.hpa.spec.maxReplicas));
  return out;
}

export const requiredLabels: Rule = {
  id: 'required-labels',
  defaultMode: 'audit',
  description: 'Labels that policies.yaml requires on every workload.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return NONE;
    const labels = labelsOf(input.w.obj);
    const missing = input.policies.requiredLabels.filter((k) => labels[k] === undefined);
    return missing.length === 0
      ? []
      : [
          {
            what: `metadata.labels lacks ${missing.join(', ')}`,
            fix: `add the labels ${missing.join(', ')}`,
          },
        ];
  },
};

export const profileMissing: Rule = {
  id: 'profile-missing',
  defaultMode: 'enforce',
  defaultParams: { required: false },
  description: 'The named profile does not exist, or policy requires a profile and none is named.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return NONE;
    const { w, ref, view } = input;
    if (
      w.profileName !== undefined &&
      !w.profile &&
      view.deniedProfile?.(ref.namespace, w.profileName) === true
    ) {
      return [
        {
          what: `WorkloadProfile ${w.profileName} (label ${PROFILE_LABEL}) was denied, so nothing compiles against it`,
          fix: `fix WorkloadProfile ${ref.namespace}/${w.profileName} as its own denial says`,
        },
      ];
    }
    if (w.profileName !== undefined && !w.profile) {
      return [
        {
          what: `label ${PROFILE_LABEL} names WorkloadProfile ${w.profileName}, which does not exist in namespace ${ref.namespace}`,
          fix: `create WorkloadProfile ${ref.namespace}/${w.profileName} first, or correct the label`,
        },
      ];
    }
    if (w.profileName === undefined && bool(input.params, 'required', false) && w.obj.kind !== 'DaemonSet') {
      return [
        {
          what: `namespace ${ref.namespace} requires a WorkloadProfile and none is named`,
          fix: `label it ${PROFILE_LABEL}: <profile>`,
        },
      ];
    }
    return NONE;
  },
};
