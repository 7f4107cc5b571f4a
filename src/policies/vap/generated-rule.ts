/** The shape of a Berth rule generated as a ValidatingAdmissionPolicy. Types only. */
import type { Params, Policies } from '../policies.js';
import type { RuleId } from '../rules/ids.js';
import type { Cel, FindingCel } from './message-cel.js';
import type { ResourceRule } from './resources.js';

export interface GeneratedRule {
  readonly id: RuleId;
  /** What the webhook would send it: the same resources and operations. */
  readonly resources: readonly ResourceRule[];
  readonly namespaced: boolean;
  /** Variables its findings read, per root (`<root><name>`). */
  readonly shared: readonly { readonly name: string; readonly expression: Cel }[];
  /** Each finding the rule can make, in the order the engine reports them. */
  readonly findings: readonly FindingCel[];
  /** The rule's params (and what it reads of policies.yaml) as the params ConfigMap's data. */
  params(params: Params, policies: Policies): Record<string, string>;
}
