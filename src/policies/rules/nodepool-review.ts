/**
 * NodePool review: the platform team's checklist for a Karpenter NodePool, judged against the catalog
 * and the cluster's other pools — can it launch at all, are its instance types broad enough to survive
 * an insufficient-capacity error or a spot interruption, are its limits, consolidation and budgets
 * safe, does a GPU pool keep ordinary pods off, does it compete with another pool of equal weight.
 */
import { LABEL, type InstanceType } from '../../catalog/instance-type.js';
import { formatLimit, LIMIT_KEYS, limitCount, limitResourceName } from '../../scheduling/nodepool.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { Taint } from '../../scheduling/taints.js';
import { accelerated, poolFacts, standingBudgets, typeList } from './review-facts.js';
import { NONE, num, type Finding, type NodePoolInput, type Rule, type RuleInput } from './rule.js';

const poolOf = (input: RuleInput): NodePoolInput | undefined =>
  input.target === 'nodepool' ? input : undefined;

export const nodepoolNeverLaunches: Rule = {
  id: 'nodepool-never-launches',
  defaultMode: 'enforce',
  description:
    "A NodePool that can never launch a node: its requirements admit no instance type of the catalog, or a limit is below its smallest node's capacity.",
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p) return NONE;
    const { types } = poolFacts(p.poolView, input.view.catalog);
    if (types.length === 0)
      return [
        {
          what: `its requirements admit none of the ${input.view.catalog.types.length} instance types of the catalog, so it can never launch a node`,
          fix: 'widen spec.template.spec.requirements (berth plan --nodepools shows what a pool admits)',
        },
      ];
    for (const k of LIMIT_KEYS) {
      const limit = p.poolView.limits[k];
      if (limit === undefined || types.some((t) => limitCount(t, k) <= limit)) continue;
      const smallest = [...types].sort((a, b) => limitCount(a, k) - limitCount(b, k))[0] as InstanceType;
      const name = limitResourceName(k);
      const need = formatLimit(k, limitCount(smallest, k));
      return [
        {
          what: `limits.${name} is ${formatLimit(k, limit)}, below the smallest node its requirements admit (${smallest.name}: ${need} ${name}), so it can never launch a node`,
          brief: `limits.${name} ${formatLimit(k, limit)} is below its smallest node (${need}): it can never launch`,
          fix: `raise limits.${name} to at least ${need}, or admit smaller instance types`,
        },
      ];
    }
    return NONE;
  },
};

export const nodepoolInstanceTypesNarrow: Rule = {
  id: 'nodepool-instance-types-narrow',
  defaultMode: 'warn',
  defaultParams: { minTypes: 5, minSpotTypes: 15 },
  description:
    'A NodePool whose requirements admit too few instance types to survive an insufficient-capacity error, or, with spot, an interruption (Karpenter wants 15 cheaper types for spot-to-spot consolidation).',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p) return NONE;
    const { types, spot } = poolFacts(p.poolView, input.view.catalog);
    if (types.length === 0) return NONE;
    const min = num(input.params, 'minTypes', 5);
    const minSpot = num(input.params, 'minSpotTypes', 15);
    const fix =
      'admit more types: requirements on instance-category, -generation or -cpu rather than instance-type';
    if (types.length < min)
      return [
        {
          what: `its requirements admit ${types.length} instance type(s) (${typeList(types)}), fewer than ${min}: one insufficient-capacity error leaves its pods pending`,
          brief: `it admits ${types.length} instance type(s), fewer than ${min}`,
          fix,
          briefFix: 'admit more instance types',
        },
      ];
    if (spot && types.length < minSpot)
      return [
        {
          what: `it may buy spot and admits ${types.length} instance types, fewer than ${minSpot}: spot interruptions find few pools to replace from, and spot-to-spot consolidation needs ${minSpot}`,
          brief: `a spot pool admitting ${types.length} types, fewer than ${minSpot}`,
          fix,
          briefFix: 'admit more instance types',
        },
      ];
    return NONE;
  },
};

export const nodepoolLimitsMissing: Rule = {
  id: 'nodepool-limits-missing',
  defaultMode: 'warn',
  description: 'A NodePool without a cpu, memory or nodes limit: a runaway workload buys without bound.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p || p.poolView.builtin !== undefined || p.poolView.replicas !== undefined) return NONE;
    const l = p.poolView.limits;
    if (l.cpuMillis !== undefined || l.memoryMiB !== undefined || l.nodes !== undefined) return NONE;
    return [
      {
        what: 'spec.limits sets no cpu, memory or nodes limit, so a runaway workload or a bad HPA buys nodes without bound',
        brief: 'spec.limits sets no cpu, memory or nodes limit',
        fix: 'set spec.limits.cpu (and memory) to what the pool may spend at most',
        briefFix: 'set spec.limits.cpu and memory',
      },
    ];
  },
};

export const nodepoolConsolidationChurn: Rule = {
  id: 'nodepool-consolidation-churn',
  defaultMode: 'warn',
  defaultParams: { minConsolidateAfterSeconds: 30 },
  description:
    'A NodePool that consolidates under-used nodes as soon as a pod leaves (consolidateAfter below the minimum): nodes churn with every scale-down.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    const d = p?.pool.spec.disruption;
    if (!p || (d?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized') !== 'WhenEmptyOrUnderutilized')
      return NONE;
    if (d?.consolidateAfter === 'Never') return NONE;
    const written = parseGoDuration(d?.consolidateAfter);
    // Unset: Berth's provisioner uses policies.yaml's; Karpenter's CRD defaults it to 0s.
    const policy = input.policies;
    const ms =
      written ??
      (policy.provisionerMode === 'berth' ? policy.consolidation.consolidateAfterSeconds * 1000 : 0);
    const min = num(input.params, 'minConsolidateAfterSeconds', 30);
    if (ms >= min * 1000) return NONE;
    const seen = d?.consolidateAfter ?? `${ms / 1000}s (unset)`;
    return [
      {
        what: `consolidationPolicy WhenEmptyOrUnderutilized with consolidateAfter ${seen}, under ${min}s: a node is replaced as soon as a pod leaves it, and nodes churn with every scale-down`,
        brief: `consolidateAfter ${seen} churns nodes`,
        fix: `set spec.disruption.consolidateAfter to at least ${min}s (e.g. 5m)`,
        briefFix: `consolidateAfter of ${min}s or more`,
      },
    ];
  },
};

export const nodepoolBudgetUnbounded: Rule = {
  id: 'nodepool-budget-unbounded',
  defaultMode: 'warn',
  defaultParams: { maxPercent: 50 },
  description:
    'A NodePool whose disruption budgets let a large share of its nodes go at once, at any time (a new AMI drifts them all together).',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p) return NONE;
    const max = num(input.params, 'maxPercent', 50);
    const standing = standingBudgets(p.pool);
    // The smallest standing budget wins (per reason): the pool is as open as its tightest always-on one.
    const percents = standing.map((nodes) => /^(\d+)%$/.exec(nodes)?.[1] ?? '');
    if (percents.length === 0 || percents.some((x) => x === '' || Number(x) < max)) return NONE;
    const open = Math.min(...percents.map(Number));
    return [
      {
        what: `its disruption budgets let ${open}% of its nodes be disrupted at once, at any time (at least ${max}%): a new AMI or a drifted class replaces them all together`,
        brief: `budgets let ${open}% of nodes go at any time`,
        fix: "lower spec.disruption.budgets[].nodes (Karpenter's default is 10%), and put wider budgets in a maintenance window (schedule and duration)",
        briefFix: 'lower budgets[].nodes',
      },
    ];
  },
};

export const nodepoolGpuUntainted: Rule = {
  id: 'nodepool-gpu-untainted',
  defaultMode: 'warn',
  description:
    'A NodePool of accelerated instance types (GPU, Inferentia, Trainium) without a NoSchedule taint: ordinary pods land on its costly nodes and keep them.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p) return NONE;
    const { types } = poolFacts(p.poolView, input.view.catalog);
    if (types.length === 0 || !types.every(accelerated)) return NONE;
    if (p.poolView.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) return NONE;
    return [
      {
        what: `every instance type it admits is accelerated (${typeList(types, 2)}) and it has no NoSchedule taint, so ordinary pods land on its nodes and keep them`,
        brief: 'accelerated pool without a NoSchedule taint',
        fix: 'add a taint (nvidia.com/gpu: NoSchedule) and let accelerated workloads tolerate it',
        briefFix: 'add a NoSchedule taint',
      },
    ];
  },
};

const taintKey = (taints: readonly Taint[]) =>
  taints
    .map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`)
    .sort()
    .join(',');

export const nodepoolWeightTie: Rule = {
  id: 'nodepool-weight-tie',
  defaultMode: 'warn',
  description:
    'Two NodePools of the same weight and taints whose instance types overlap: the same pods may land on either, and which one is chosen is not the team’s decision.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p) return NONE;
    const catalog = input.view.catalog;
    const mine = poolFacts(p.poolView, catalog).types;
    if (mine.length === 0) return NONE;
    const names = new Set(mine.map((t) => t.name));
    const taints = taintKey(p.poolView.taints);
    const out: Finding[] = [];
    for (const other of input.view.nodePools) {
      if (other.name === p.poolView.name || other.weight !== p.poolView.weight || other.builtin) continue;
      if (taintKey(other.taints) !== taints) continue;
      const shared = poolFacts(other, catalog).types.filter((t) => names.has(t.name)).length;
      if (shared === 0) continue;
      out.push({
        what: `NodePool ${other.name} has the same weight (${p.poolView.weight}) and taints, and ${shared} of its instance types are this pool's too: the same pods may land on either`,
        brief: `same weight as NodePool ${other.name}, overlapping types`,
        fix: 'give the preferred pool a higher spec.weight, or tell them apart with a taint or disjoint requirements',
        briefFix: 'give one a higher spec.weight',
      });
    }
    return out;
  },
};

export const nodepoolExpiryNever: Rule = {
  id: 'nodepool-expiry-never',
  defaultMode: 'audit',
  description: 'A NodePool whose nodes never expire (expireAfter: Never): long-lived nodes accumulate risk.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (p?.pool.spec.template.spec.expireAfter !== 'Never') return NONE;
    return [
      {
        what: 'expireAfter is Never: its nodes keep old kernels, images and configuration for as long as they live',
        fix: "set spec.template.spec.expireAfter (Karpenter's default is 720h) and keep a PDB on every workload",
      },
    ];
  },
};

export const nodepoolZonesImplicit: Rule = {
  id: 'nodepool-zones-implicit',
  defaultMode: 'audit',
  description: 'A NodePool that does not say its zones: its nodes go wherever its subnets are.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p || p.poolView.builtin || poolFacts(p.poolView, input.view.catalog).written.has(LABEL.zone))
      return NONE;
    return [
      {
        what: `it has no ${LABEL.zone} requirement: its nodes go to whichever zones its EC2NodeClass's subnets are in`,
        fix: `add { key: ${LABEL.zone}, operator: In, values: [${input.view.catalog.zones.join(', ')}] }`,
      },
    ];
  },
};

export const nodepoolCapacityTypeImplicit: Rule = {
  id: 'nodepool-capacity-type-implicit',
  defaultMode: 'audit',
  description: 'A NodePool that does not say which capacity types (on-demand, spot, reserved) it buys.',
  targets: ['nodepool'],
  check(input) {
    const p = poolOf(input);
    if (!p || p.poolView.builtin) return NONE;
    const facts = poolFacts(p.poolView, input.view.catalog);
    if (facts.written.has(LABEL.capacityType)) return NONE;
    return [
      {
        what: `it has no ${LABEL.capacityType} requirement, so it buys ${facts.spot ? 'spot and on-demand' : 'on-demand only'} by default`,
        fix: `add { key: ${LABEL.capacityType}, operator: In, values: [...] } with the capacity types it is meant to buy`,
      },
    ];
  },
};
