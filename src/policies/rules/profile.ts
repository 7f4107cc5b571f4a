/** Rules on WorkloadProfile admission: schema, class, spot, drainability, zones, capacity, limits. */
import { cpuMillis, formatCpu, formatMemory, humanCpu, humanMemory, memoryMiB } from '../../kube/quantity.js';
import { LABEL } from '../../catalog/instance-type.js';
import { podRequests } from '../../kube/resources.js';
import { fitPools, largest } from '../../scheduling/placement.js';
import { allows } from '../../scheduling/requirements.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { compile } from '../compile/compile.js';
import { podTemplateOf } from '../../kube/workload.js';
import { disruptionsAllowed, drainFix } from '../disruption.js';
import { validateProfileObject } from '../schema/validate.js';
import { NONE, unmappedClass, type ProfileInput, type Rule, type RuleInput, type Finding } from './rule.js';

function profileInput(input: RuleInput): ProfileInput | undefined {
  return input.target === 'profile' ? input : undefined;
}

function classPools(p: ProfileInput): PoolView[] {
  const cls = p.policies.runtimeClasses.get(p.profile.spec.runtimeClass);
  return cls ? p.view.nodePools.filter((pool) => cls.nodePools.includes(pool.name)) : [];
}

/** What one JSON Schema cannot say: relations between fields. */
function crossFieldIssues(profile: ProfileInput['profile']): string[] {
  const s = profile.spec;
  const issues: string[] = [];
  const min = s.availability?.minReplicas;
  const max = s.scaling?.maxReplicas;
  if (min !== undefined && max !== undefined && max < min)
    issues.push(`spec.scaling.maxReplicas ${max} is below spec.availability.minReplicas ${min}`);
  const req = memoryMiB(s.compute?.memoryRequest);
  const lim = memoryMiB(s.compute?.memoryLimit);
  if (req !== undefined && lim !== undefined && lim < req)
    issues.push(
      `spec.compute.memoryLimit ${String(s.compute?.memoryLimit)} is below memoryRequest ${String(s.compute?.memoryRequest)}`,
    );
  return issues;
}

export const profileSchemaRule: Rule = {
  id: 'profile-schema',
  defaultMode: 'enforce',
  description: 'The profile does not match the WorkloadProfile schema.',
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    if (!p) return NONE;
    const schema = validateProfileObject(p.raw).map((i) => `${i.path}: ${i.message}`);
    const issues = schema.length > 0 ? schema : crossFieldIssues(p.profile);
    return issues.length === 0
      ? []
      : [{ what: issues.join('; '), fix: 'correct the fields named (kubectl explain workloadprofile.spec)' }];
  },
};

export const profileRuntimeClassUnknown: Rule = {
  id: 'profile-runtime-class-unknown',
  defaultMode: 'enforce',
  description:
    "spec.runtimeClass names no class in policies.yaml, or a class mapped to none of the cluster's NodePools.",
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    const name = p?.profile.spec.runtimeClass;
    if (!p || name === undefined) return NONE;
    const cls = p.policies.runtimeClasses.get(name);
    const unmapped = unmappedClass(name, cls, p.view.nodePools, p.view.poolsFrom);
    if (unmapped) return [unmapped];
    if (cls) return NONE;
    const known = [...p.policies.runtimeClasses.keys()].sort().join(', ');
    return [
      {
        what: `spec.runtimeClass ${name} is not a runtime class of this cluster`,
        fix: `use one of: ${known}`,
      },
    ];
  },
};

export const profileSpotForbidden: Rule = {
  id: 'profile-spot-forbidden',
  defaultMode: 'enforce',
  description: 'cost.spotAllowed for a class that does not allow spot.',
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    const cls = p && p.policies.runtimeClasses.get(p.profile.spec.runtimeClass);
    if (!p || !cls || p.profile.spec.cost?.spotAllowed !== true || cls.spotAllowed === true) return NONE;
    return [
      {
        what: `spec.cost.spotAllowed is true but runtime class ${p.profile.spec.runtimeClass} does not allow spot`,
        fix: 'set cost.spotAllowed: false, or use a class that allows spot (e.g. batch)',
      },
    ];
  },
};

export const profileUndrainable: Rule = {
  id: 'profile-undrainable',
  defaultMode: 'enforce',
  description: 'The generated PDB allows 0 evictions at minReplicas.',
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    const d = p?.profile.spec.disruption;
    if (!p || !d || (d.minAvailable === undefined && d.maxUnavailable === undefined)) return NONE;
    const min = p.profile.spec.availability?.minReplicas ?? 1;
    const budget = { minAvailable: d.minAvailable, maxUnavailable: d.maxUnavailable };
    const m = disruptionsAllowed(budget, min);
    if (m.allowed > 0) return NONE;
    return [
      {
        what: `disruption.${m.budget} allows 0 evictions at availability.minReplicas ${min} (${m.arithmetic}), so no node running it can be drained`,
        fix: drainFix(budget, min, (r) => `raise minReplicas to ${r}`),
      },
    ];
  },
};

function poolZones(pool: PoolView, zones: readonly string[]): string[] {
  const r = pool.requirements.get(LABEL.zone);
  return zones.filter((z) => !r || allows(r, z));
}

export const profileZoneSpreadImpossible: Rule = {
  id: 'profile-zone-spread-impossible',
  defaultMode: 'enforce',
  defaultParams: { minZones: 2 },
  description: "zoneSpread: required, but the class's NodePools span too few zones.",
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    if (!p || p.profile.spec.availability?.zoneSpread !== 'required') return NONE;
    const pools = classPools(p);
    if (pools.length === 0) return NONE;
    const zones = new Set(pools.flatMap((pool) => poolZones(pool, p.view.catalog.zones)));
    const need = typeof p.params.minZones === 'number' ? p.params.minZones : 2;
    if (zones.size >= need) return NONE;
    return [
      {
        what: `availability.zoneSpread is required but runtime class ${p.profile.spec.runtimeClass}'s NodePools span ${zones.size} zone(s) (${[...zones].join(', ') || 'none'})`,
        fix: `set zoneSpread: preferred, or add zones to NodePools ${pools.map((x) => x.name).join(', ')}`,
      },
    ];
  },
};

/** The pod a profile compiles to, as the placement check sees it. */
function profilePod(p: ProfileInput): ReturnType<typeof podTemplateOf> {
  const probe = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: p.ref.name, namespace: p.ref.namespace },
    spec: {
      selector: { matchLabels: { app: p.ref.name } },
      template: { metadata: { labels: { app: p.ref.name } }, spec: { containers: [{ name: 'app' }] } },
    },
  };
  return podTemplateOf(compile(probe, p.profile, p.policies, p.view.nodePools).object);
}

export const profileRequestsExceedCapacity: Rule = {
  id: 'profile-requests-exceed-capacity',
  defaultMode: 'enforce',
  description: 'No instance type the class allows can hold the requests.',
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    const pools = p ? classPools(p) : [];
    const tpl = p && pools.length > 0 ? profilePod(p) : undefined;
    if (!p || !tpl || !p.profile.spec.compute) return NONE;
    const req = podRequests(tpl.spec);
    const fits = fitPools(tpl.spec, req, pools, p.view.catalog);
    if (fits.some((f) => f.fitting.length > 0)) return NONE;
    const big = largest(fits.flatMap((f) => f.types));
    const shown = `${humanCpu(req.cpuMillis)} CPU, ${humanMemory(req.memoryMiB)} memory`;
    const what = big
      ? `compute requests ${shown} exceed the largest instance type runtime class ${p.profile.spec.runtimeClass} allows (${big.name}: ${humanCpu(big.allocatable.cpuMillis)} CPU, ${humanMemory(big.allocatable.memoryMiB)})`
      : `runtime class ${p.profile.spec.runtimeClass}'s NodePools offer no instance type for these pods (the pod ${fits[0]?.why?.() ?? 'matches none'})`;
    return [
      { what, fix: 'lower compute.cpuRequest / memoryRequest, or use a class with larger instance types' },
    ];
  },
};

export const profileLimitsExceeded: Rule = {
  id: 'profile-limits-exceeded',
  defaultMode: 'enforce',
  description: "maxReplicas × requests above the class NodePools' limits.",
  targets: ['profile'],
  check(input) {
    const p = profileInput(input);
    const pools = p ? classPools(p) : [];
    const max = p?.profile.spec.scaling?.maxReplicas;
    if (!p || pools.length === 0 || max === undefined) return NONE;
    const out: Finding[] = [];
    const check = (
      what: 'cpu' | 'memory',
      per: number | undefined,
      limit: (x: PoolView) => number | undefined,
      fmt: (n: number) => string,
    ): void => {
      if (per === undefined || pools.some((x) => limit(x) === undefined)) return;
      const total = pools.reduce((s, x) => s + (limit(x) ?? 0), 0);
      if (per * max <= total) return;
      out.push({
        what: `scaling.maxReplicas ${max} × ${what} request ${fmt(per)} = ${fmt(per * max)}, above the ${what} limit ${fmt(total)} of NodePools ${pools.map((x) => x.name).join(', ')}`,
        fix: `lower maxReplicas to ${Math.floor(total / per)} or raise the NodePools' limits.${what}`,
      });
    };
    check('cpu', cpuMillis(p.profile.spec.compute?.cpuRequest), (x) => x.limits.cpuMillis, formatCpu);
    check(
      'memory',
      memoryMiB(p.profile.spec.compute?.memoryRequest),
      (x) => x.limits.memoryMiB,
      formatMemory,
    );
    return out;
  },
};
