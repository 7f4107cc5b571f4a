/** The shape of a rule in the catalogue. */
import type { KubeObject, ObjectRef } from '../../kube/objects.js';
import type { WorkloadFacts } from '../context.js';
import type { Params, Policies } from '../policies.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';
import type { ClusterView, HPA, PDB } from '../view.js';
import type { Mode, RuleId } from './ids.js';

/** What a rule found: what is wrong (naming the field) and the smallest change that makes it safe. */
export interface Finding {
  what: string;
  fix: string;
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

export type RuleInput = WorkloadInput | PdbInput | HpaInput | ProfileInput;
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
