/** Placement: spread, NodePool compatibility, capacity, spot suitability, pinned instance types. */
import type { V1PodSpec } from '@kubernetes/client-node';
import { humanCpu, humanMemory } from '../../kube/quantity.js';
import { selectorMatches } from '../../kube/selector.js';
import { isReplicated } from '../../kube/workload.js';
import { LABEL, type Resources } from '../../catalog/instance-type.js';
import { ACCELERATORS, type PodRequests } from '../../kube/resources.js';
import { closestLargest, fittingTypes, poolTypesFor, type PoolFit } from '../../scheduling/placement.js';
import { formatTaint, untoleratedTaint } from '../../scheduling/taints.js';
import { allows } from '../../scheduling/requirements.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { WorkloadFacts } from '../context.js';
import { ZONE_KEY } from '../compile/spread.js';
import { normalizedKey } from '../../scheduling/well-known.js';
import { derived } from '../../util/memo.js';
import { NONE, num, unmappedClass, workloadOf, type Finding, type Rule } from './rule.js';
import { count } from '../../util/canonical.js';

// Derived from the fits, which are shared per placement shape (and so, per terms): computed once.
const zonesOf = new WeakMap<readonly PoolFit[], ReadonlySet<string>>();
const spotOf = new WeakMap<readonly PoolFit[], boolean>();

/** Zones the workload's pods can land in: the zones of every NodePool that takes them. */
export function eligibleZones(w: WorkloadFacts, catalog: Catalog): ReadonlySet<string> {
  return derived(zonesOf, w.fits(), () => {
    const zones = new Set<string>();
    for (const fit of w.fits()) {
      if (fit.fitting.length === 0) continue;
      for (const term of w.terms) {
        const reqs = fit.pool.requirements.merge(term).get(LABEL.zone);
        for (const z of catalog.zones) if (!reqs || allows(reqs, z)) zones.add(z);
      }
    }
    return zones;
  });
}

/** Whether any NodePool that takes the pods may put them on spot capacity. */
function spotPossible(w: WorkloadFacts): boolean {
  return derived(spotOf, w.fits(), () =>
    w.fits().some(
      (f) =>
        f.fitting.length > 0 &&
        w.terms.some((t) => {
          const ct = f.pool.requirements.merge(t).get(LABEL.capacityType);
          return !ct || allows(ct, 'spot');
        }),
    ),
  );
}

function hasZoneSpread(spec: V1PodSpec): boolean {
  if ((spec.topologySpreadConstraints ?? []).some((c) => normalizedKey(c.topologyKey) === ZONE_KEY))
    return true;
  const anti = spec.affinity?.podAntiAffinity;
  const terms = [
    ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm),
  ];
  return terms.some((t) => normalizedKey(t.topologyKey) === ZONE_KEY);
}

export const zoneSpreadMissing: Rule = {
  id: 'zone-spread-missing',
  defaultMode: 'warn',
  description: 'A replicated workload with no zone spread: one zone outage takes all of it.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || !isReplicated(w.obj.kind) || w.replicas < 2 || hasZoneSpread(w.spec)) return NONE;
    if (w.profile?.spec.availability?.zoneSpread === 'none') return NONE;
    return [
      {
        what: `${count(w.replicas, 'replica')}${w.replicasNote} with no ${ZONE_KEY} topology spread`,
        brief: `${count(w.replicas, 'replica')}, no zone spread`,
        briefFix: w.profile
          ? 'set availability.zoneSpread: required in its profile'
          : 'add a zone topologySpreadConstraint, maxSkew 1',
        fix: w.profile
          ? 'set availability.zoneSpread: required in its WorkloadProfile'
          : `add a topologySpreadConstraint on ${ZONE_KEY} with maxSkew 1`,
      },
    ];
  },
};

export const spreadUnsatisfiable: Rule = {
  id: 'spread-unsatisfiable',
  defaultMode: 'enforce',
  description:
    'A spread selector that matches none of the pods, or DoNotSchedule across more zones than exist.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w) return NONE;
    const out: Finding[] = [];
    (w.spec.topologySpreadConstraints ?? []).forEach((c, i) => {
      const field = `topologySpreadConstraints[${i}]`;
      if (c.labelSelector && !selectorMatches(c.labelSelector, w.podLabels)) {
        out.push({
          what: `${field}.labelSelector matches none of the workload's own pods, so it spreads nothing`,
          fix: "use the pod template's labels as the selector",
        });
      }
      if (
        normalizedKey(c.topologyKey) !== ZONE_KEY ||
        c.whenUnsatisfiable !== 'DoNotSchedule' ||
        input.view.nodePools.length === 0
      )
        return;
      const zones = eligibleZones(w, input.view.catalog);
      const need = c.minDomains ?? 1;
      if (zones.size > 0 && need > zones.size) {
        out.push({
          what: `${field} needs minDomains ${need} zones but its NodePools offer ${zones.size} (${[...zones].sort().join(', ')})`,
          fix: `set minDomains to ${zones.size} or whenUnsatisfiable: ScheduleAnyway`,
        });
      }
    });
    return out;
  },
};

/** The resources beyond CPU and memory a pod asks for, as `, 1 GPU, 50Gi ephemeral-storage`, with `of`'s amounts. */
function extras(asked: PodRequests, of: PodRequests | Resources): string {
  let out = '';
  if (asked.ephemeralMiB > 0) out += `, ${humanMemory(of.ephemeralMiB)} ephemeral-storage`;
  if (asked.nvidiaGpu > 0) out += `, ${of.nvidiaGpu} GPU`;
  for (const k of ['amdGpu', 'neuron', 'neuronCore'] as const)
    if (asked[k] > 0) out += `, ${of[k]} ${ACCELERATORS[k]}`;
  return out;
}

function describeRequests(w: WorkloadFacts): string {
  const r = w.requests;
  return `${humanCpu(r.cpuMillis)} CPU, ${humanMemory(r.memoryMiB)} memory${extras(r, r)}`;
}

export const placementUnsatisfiable: Rule = {
  id: 'placement-unsatisfiable',
  defaultMode: 'enforce',
  description: 'Node selector, affinity and tolerations match no NodePool: the pod stays Pending forever.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || input.view.nodePools.length === 0) return NONE;
    // A class mapped to none of the cluster's pools: say the mapping is missing, not which label fails.
    const unmapped = unmappedClass(w.className, w.runtimeClass, input.view.nodePools, input.view.poolsFrom);
    if (unmapped) return [unmapped];
    const fits = w.fits();
    if (fits.some((f) => f.types.length > 0)) return NONE;
    const closest: PoolFit | undefined = fits[0];
    const why = closest?.why?.() ?? 'finds no NodePool';
    return [
      {
        what: `its pods match no NodePool; closest is ${closest?.pool.name ?? '<none>'}: the pod ${why}`,
        fix: 'change the node selector, affinity or tolerations to match a NodePool, or pick a runtime class that offers it',
      },
    ];
  },
};

/**
 * A pool that would hold the pod but for a taint it does not tolerate (a GPU pod without the GPU pool's
 * toleration): the fix is the toleration, not smaller requests.
 */
function taintedHolder(w: WorkloadFacts, fits: readonly PoolFit[], catalog: Catalog): Finding | undefined {
  for (const f of fits) {
    const taint = untoleratedTaint(f.pool.taints, w.spec.tolerations ?? []);
    if (!taint) continue;
    const holder = w.terms
      .map((t) => fittingTypes(poolTypesFor(f.pool, t, catalog), w.requests)[0])
      .find((t) => t !== undefined);
    if (!holder) continue;
    const toleration = `{key: ${taint.key}, operator: Exists, effect: ${taint.effect}}`;
    return {
      what: `pod requests ${describeRequests(w)}, which no instance type of the NodePools it tolerates holds; NodePool ${f.pool.name} has one (${holder.name}) but its taint ${formatTaint(taint)} is not tolerated`,
      fix: `add the toleration ${toleration}, or use the runtime class of NodePool ${f.pool.name}`,
    };
  }
  return undefined;
}

export const requestsExceedCapacity: Rule = {
  id: 'requests-exceed-capacity',
  defaultMode: 'enforce',
  description: 'The pod cannot fit on the largest instance type any compatible NodePool allows.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || input.view.nodePools.length === 0) return NONE;
    // A class mapped to none of the cluster's pools is placement-unsatisfiable's one finding.
    if (unmappedClass(w.className, w.runtimeClass, input.view.nodePools, input.view.poolsFrom)) return NONE;
    const fits = w.fits();
    const compatible = fits.filter((f) => f.types.length > 0);
    if (compatible.length === 0 || compatible.some((f) => f.fitting.length > 0)) return NONE;
    const big = closestLargest(
      compatible.flatMap((f) => f.types),
      w.requests,
    );
    if (!big) return NONE;
    const tainted = taintedHolder(w, fits, input.view.catalog);
    if (tainted) return [tainted];
    // Types hold the pod, but too few to keep a pool's minValues (Karpenter's Strict policy).
    const short = compatible.find((f) => f.distance === 1 && f.why !== undefined);
    if (short?.why)
      return [
        {
          what: `pod requests ${describeRequests(w)} and ${short.why()}`,
          fix: `relax the pod's instance-type requirements, or lower minValues in NodePool ${short.pool.name}`,
        },
      ];
    const a = big.allocatable;
    // Every pool the pods may go to, Auto Mode's too: Berth knows their instance types though it never launches them.
    const pools = compatible
      .map((f) => (f.pool.autoMode ? `${f.pool.name} (EKS Auto Mode)` : f.pool.name))
      .join(', ');
    return [
      {
        what: `pod requests ${describeRequests(w)}; the largest instance type NodePool${compatible.length === 1 ? '' : 's'} ${pools} allow${compatible.length === 1 ? 's' : ''}, ${big.name}, has ${humanCpu(a.cpuMillis)} CPU, ${humanMemory(a.memoryMiB)}${extras(w.requests, a)} allocatable`,
        fix: 'lower the requests, or use a runtime class whose NodePools allow larger instance types',
      },
    ];
  },
};

export const spotUnsuitable: Rule = {
  id: 'spot-unsuitable',
  defaultMode: 'warn',
  description: 'A singleton or StatefulSet on spot, or spot for a class that forbids it.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || input.view.nodePools.length === 0) return NONE;
    if (!spotPossible(w)) return NONE;
    const fix =
      'require on-demand (cost.spotAllowed: false, or node affinity karpenter.sh/capacity-type In [on-demand])';
    if (w.runtimeClass && w.runtimeClass.spotAllowed !== true)
      return [{ what: `pods may land on spot but runtime class ${w.className ?? ''} forbids spot`, fix }];
    if (w.obj.kind === 'StatefulSet')
      return [
        {
          what: 'a StatefulSet may land on spot capacity, where an interruption loses a member with its identity',
          brief: 'a StatefulSet may land on spot capacity',
          fix,
        },
      ];
    if (isReplicated(w.obj.kind) && w.replicas > 0 && w.replicas < num(input.params, 'minReplicas', 2))
      return [
        {
          what: `${w.replicas === 1 ? 'a single replica' : `${w.replicas} replicas`}${w.replicasNote} may land on spot capacity: an interruption is an outage`,
          fix,
        },
      ];
    return NONE;
  },
};

const PIN_REASON = 'berth.dev/instance-type-reason';

export const instanceTypePinned: Rule = {
  id: 'instance-type-pinned',
  defaultMode: 'warn',
  description: 'A single instance type pinned without a reason annotation.',
  targets: ['workload'],
  check(input) {
    const w = workloadOf(input);
    if (!w || w.template.metadata.annotations?.[PIN_REASON] || w.obj.metadata?.annotations?.[PIN_REASON])
      return NONE;
    const pinned = w.terms.every((t) => {
      const r = t.get(LABEL.instanceType);
      return r !== undefined && !r.complement && r.values.size === 1;
    });
    if (!pinned) return NONE;
    return [
      {
        what: `pods are pinned to one instance type (${LABEL.instanceType}); if it is short, they stay Pending`,
        brief: 'pinned to one instance type',
        briefFix: `allow more, or say why in ${PIN_REASON}`,
        fix: `allow several instance types, or annotate ${PIN_REASON} with why`,
      },
    ];
  },
};
