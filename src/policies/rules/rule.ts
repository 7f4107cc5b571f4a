/** The shape of a rule in the catalogue. */
import { derived } from '../../util/memo.js';
import type { KubeObject, ObjectRef } from '../../kube/objects.js';
import type { WorkloadFacts } from '../context.js';
import type { Params, Policies } from '../policies.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';
import type { ClusterView, HPA, PDB } from '../view.js';
import type { EC2NodeClass, NodePool, PoolView } from '../../scheduling/nodepool.js';
import type { Mode, RuleId } from './ids.js';

/** What a rule found: what is wrong (naming the field) and the smallest change that makes it safe. */
export interface Finding {
  what: string;
  fix: string;
  /**
   * The finding reworded for kubectl's `Warning:` line (under 120 characters with its rule id), where
   * the full text is longer: the same meaning in fewer words, never the full text with its middle cut.
   */
  brief?: string;
  /** The fix reworded likewise, where it alone is long. */
  briefFix?: string;
}

export interface Base {
  ref: ObjectRef;
  view: ClusterView;
  policies: Policies;
  params: Params;
  /** The object before an UPDATE, when there was one. */
  oldObject: KubeObject | undefined;
}

export interface WorkloadInput extends Base {
  target: 'workload';
  w: WorkloadFacts;
}
export interface PdbInput extends Base {
  target: 'pdb';
  pdb: PDB;
}
export interface HpaInput extends Base {
  target: 'hpa';
  hpa: HPA;
}
export interface ProfileInput extends Base {
  target: 'profile';
  profile: WorkloadProfile;
  /** Raw object as submitted, for the schema rule. */
  raw: KubeObject;
}

/** A Karpenter NodePool under review, as the solver sees it. */
export interface NodePoolInput extends Base {
  target: 'nodepool';
  pool: NodePool;
  poolView: PoolView;
  raw: KubeObject;
}
/** An EC2NodeClass (karpenter.k8s.aws) or an EKS Auto Mode NodeClass (eks.amazonaws.com) under review. */
export interface NodeClassInput extends Base {
  target: 'nodeclass';
  nodeClass: EC2NodeClass;
  raw: KubeObject;
}

export type RuleInput = WorkloadInput | PdbInput | HpaInput | ProfileInput | NodePoolInput | NodeClassInput;
export type SubjectBase = Omit<Base, 'params'>;
export type Target = RuleInput['target'];

export interface Rule {
  id: RuleId;
  defaultMode: Mode;
  defaultParams?: Params;
  description: string;
  targets: readonly Target[];
  /** Findings, or NONE (shared: rules run on every review, and most find nothing). */
  check(input: RuleInput): readonly Finding[];
}

/** No finding: one frozen list, not an allocation per rule per review. */
export const NONE: readonly Finding[] = Object.freeze([]);

/** The workload facts, when the rule runs on a workload. */
export function workloadOf(input: RuleInput): WorkloadFacts | undefined {
  return input.target === 'workload' ? input.w : undefined;
}

export function num(params: Params, key: string, fallback: number): number {
  const v = params[key];
  return typeof v === 'number' ? v : fallback;
}

export function bool(params: Params, key: string, fallback: boolean): boolean {
  const v = params[key];
  return typeof v === 'boolean' ? v : fallback;
}

/**
 * A runtime class that policies.yaml maps to NodePools none of which is in the cluster (a policies.yaml
 * written for other pools: Berth's berth-* samples beside a Karpenter whose pools are its own), when
 * the cluster has NodePools at all. Its pods have nowhere to run, and the one thing to say is the
 * missing mapping.
 */
const poolNames = new WeakMap<readonly { name: string }[], ReadonlySet<string>>();

export function unmappedClass(
  name: string | undefined,
  cls: { nodePools: readonly string[] } | undefined,
  pools: readonly { name: string }[],
  poolsFrom?: string,
): { what: string; fix: string } | undefined {
  if (name === undefined || !cls || pools.length === 0) return undefined;
  // Asked on every evaluation by three rules: the names of a view's pools are computed once per view.
  const names = derived(poolNames, pools, () => new Set(pools.map((p) => p.name)));
  if (cls.nodePools.some((n) => names.has(n))) return undefined;
  const mapped = cls.nodePools.length > 0 ? `NodePools ${cls.nodePools.join(', ')}` : 'no NodePool';
  const have = [...names].sort().join(', ');
  if (poolsFrom !== undefined)
    return {
      what: `runtime class ${name} maps to ${mapped} in policies.yaml, and ${poolsFrom} have none of them (${have})`,
      fix: `judge against the cluster's NodePools: kubectl get nodepools,ec2nodeclasses -o yaml > nodepools.yaml, then --nodepools nodepools.yaml`,
    };
  return {
    what: `runtime class ${name} maps to ${mapped} in policies.yaml, and the cluster has none of them (its NodePools: ${have})`,
    fix: `map ${name} to the cluster's NodePools in policies.yaml (runtimeClasses.${name}.nodePools and nodeSelector; berth init writes one from the cluster's pools)`,
  };
}
