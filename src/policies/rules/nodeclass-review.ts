/**
 * Node class review: an EC2NodeClass (and an EKS Auto Mode NodeClass where the field exists) as the
 * platform team's checklist reads it — the instance metadata service kept from pods, the AMI moved on
 * purpose rather than by every release, and cost allocation tags.
 */
import { poolsOfClass, standingBudgets } from './review-facts.js';
import { NONE, num, type NodeClassInput, type Rule, type RuleInput } from './rule.js';

const classOf = (input: RuleInput): NodeClassInput | undefined =>
  input.target === 'nodeclass' ? input : undefined;

const isEc2 = (c: NodeClassInput) => c.raw.kind === 'EC2NodeClass';

interface MetadataOptions {
  httpEndpoint?: string;
  httpTokens?: string;
  httpPutResponseHopLimit?: number;
}

export const nodeclassImdsOpen: Rule = {
  id: 'nodeclass-imds-open',
  defaultMode: 'enforce',
  defaultParams: { maxHopLimit: 1 },
  description:
    "An EC2NodeClass whose instance metadata service answers pods (httpTokens optional, or a hop limit above 1): any pod can take the node's IAM role.",
  targets: ['nodeclass'],
  check(input) {
    const c = classOf(input);
    if (!c || !isEc2(c)) return NONE;
    // Karpenter's defaults: enabled, tokens required, hop limit 1.
    const m = (c.nodeClass.spec?.metadataOptions ?? {}) as MetadataOptions;
    if (m.httpEndpoint === 'disabled') return NONE;
    const max = num(input.params, 'maxHopLimit', 1);
    const hops = m.httpPutResponseHopLimit ?? 1;
    const open = [
      ...(m.httpTokens === 'optional' ? ['httpTokens is optional (IMDSv1 answers without a token)'] : []),
      ...(hops > max
        ? [`httpPutResponseHopLimit is ${hops} (a pod's request reaches IMDS past the node)`]
        : []),
    ];
    if (open.length === 0) return NONE;
    return [
      {
        what: `metadataOptions: ${open.join('; ')}, so any pod on its nodes can read the node role's credentials`,
        brief: 'its IMDS answers pods: any pod can take the node role',
        fix: `set metadataOptions.httpTokens: required and httpPutResponseHopLimit: ${max}; give pods their own role with EKS Pod Identity`,
      },
    ];
  },
};

export const nodeclassAmiUnpinned: Rule = {
  id: 'nodeclass-ami-unpinned',
  defaultMode: 'warn',
  description:
    'An EC2NodeClass that selects its AMI by an @latest alias: every AMI release drifts every node of its NodePools, on AWS’s schedule rather than the team’s.',
  targets: ['nodeclass'],
  check(input) {
    const c = classOf(input);
    if (!c || !isEc2(c)) return NONE;
    const terms = (c.nodeClass.spec?.amiSelectorTerms ?? []) as { alias?: string }[];
    const latest = terms.find((t) => t.alias?.endsWith('@latest'));
    if (!latest?.alias) return NONE;
    const pools = poolsOfClass(input.view.nodePools, c.raw);
    const named = pools.map((p) => `${p.name} (budget ${standingBudgets(p.pool).join(', ')})`);
    const family = latest.alias.split('@')[0] ?? '';
    return [
      {
        what: `amiSelectorTerms alias ${latest.alias}: every AMI release drifts every node of ${named.length > 0 ? `NodePools ${named.join(', ')}` : 'its NodePools'}, when AWS publishes it`,
        brief: `alias ${latest.alias}: every AMI release drifts all its nodes`,
        fix: `pin the version (alias: ${family}@v20251120, or an id) and move it on purpose, a pool at a time`,
        briefFix: 'pin the AMI version',
      },
    ];
  },
};

export const nodeclassCostTagsMissing: Rule = {
  id: 'nodeclass-cost-tags-missing',
  defaultMode: 'audit',
  description:
    'A node class whose instances carry none of the cost allocation tags policies.yaml requires (any tag, when it names none).',
  targets: ['nodeclass'],
  check(input) {
    const c = classOf(input);
    if (!c) return NONE;
    const tags = (c.nodeClass.spec?.tags ?? {}) as Record<string, string>;
    const wanted = input.params.tags;
    const required = Array.isArray(wanted) ? wanted.map(String) : [];
    const missing = required.filter((k) => tags[k] === undefined);
    if (required.length === 0 ? Object.keys(tags).length > 0 : missing.length === 0) return NONE;
    return [
      {
        what:
          required.length === 0
            ? 'spec.tags is empty: its instances, volumes and interfaces carry no cost allocation tag'
            : `spec.tags lacks ${missing.join(', ')}: its instances cannot be charged to an owner`,
        fix: `add spec.tags (${(required.length > 0 ? required : ['team', 'cost-center']).map((k) => `${k}: …`).join(', ')})`,
      },
    ];
  },
};
