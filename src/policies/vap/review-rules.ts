/**
 * Berth's NodePool and node class review rules that need only the object and params, in CEL: the
 * same findings, word for word, as nodepool-review.ts and nodeclass-review.ts write. Pure data.
 */
import { BUILTIN_POOLS } from '../../scheduling/auto-mode.js';
import type { FindingCel, Root } from './message-cel.js';
import { lit, text } from './message-cel.js';
import type { GeneratedRule } from './generated-rule.js';
import { EC2_NODECLASSES, NODECLASSES, NODEPOOLS } from './resources.js';
import { num } from '../rules/rule.js';

const metadataOptions = (r: Root): string =>
  `(has(${r}.spec.metadataOptions) ? ${r}.spec.metadataOptions : {})`;
const hops = (r: Root): string => `${metadataOptions(r)}[?'httpPutResponseHopLimit'].orValue(1)`;
const tokensOptional = (r: Root): string => `${metadataOptions(r)}[?'httpTokens'].orValue('') == 'optional'`;
const hopsOpen = (r: Root): string => `${hops(r)} > int(params.data.maxHopLimit)`;

/** What of the metadata options is open, each with its aside when `asides`. */
const openParts = (r: Root, asides: boolean): string =>
  `(${tokensOptional(r)} ? [${lit(asides ? 'httpTokens is optional (IMDSv1 answers without a token)' : 'httpTokens is optional')}] : []) + ` +
  `(${hopsOpen(r)} ? ['httpPutResponseHopLimit is ' + string(${hops(r)})${asides ? ` + ${lit(" (a pod's request reaches IMDS past the node)")}` : ''}] : [])`;

const imdsOpen: FindingCel = {
  hit: (r) =>
    `${r}.kind == 'EC2NodeClass' && ${metadataOptions(r)}[?'httpEndpoint'].orValue('') != 'disabled' && (${tokensOptional(r)} || ${hopsOpen(r)})`,
  what: (r) =>
    `'metadataOptions: ' + (${openParts(r, true)}).join('; ') + ", so any pod on its nodes can read the node role's credentials"`,
  plainWhat: (r) =>
    `'metadataOptions: ' + (${openParts(r, false)}).join('; ') + ", so any pod on its nodes can read the node role's credentials"`,
  brief: text('its IMDS answers pods: any pod can take the node role'),
  fix: () =>
    `'set metadataOptions.httpTokens: required and httpPutResponseHopLimit: ' + params.data.maxHopLimit + '; give pods their own role with EKS Pod Identity'`,
};

const required = `(params.data.tags == '' ? [] : params.data.tags.split(','))`;
const tags = (r: Root): string => `(has(${r}.spec.tags) ? ${r}.spec.tags : {})`;
const missingTags = (r: Root): string => `${required}.filter(k, !(k in ${tags(r)}))`;

const costTagsMissing: FindingCel = {
  hit: (r) => `size(${required}) == 0 ? size(${tags(r)}) == 0 : size(${missingTags(r)}) > 0`,
  what: (r) =>
    `size(${required}) == 0 ? 'spec.tags is empty: its instances, volumes and interfaces carry no cost allocation tag' : 'spec.tags lacks ' + ${missingTags(r)}.join(', ') + ': its instances cannot be charged to an owner'`,
  fix: () =>
    `'add spec.tags (' + (size(${required}) > 0 ? ${required} : ['team', 'cost-center']).map(k, k + ': …').join(', ') + ')'`,
  plainFix: text('add spec.tags'),
};

const builtin = (r: Root): string =>
  `(has(${r}.spec.template.spec.nodeClassRef) && ${r}.spec.template.spec.nodeClassRef.group == 'eks.amazonaws.com' && ${r}.spec.template.spec.nodeClassRef.name == 'default' && ${r}.metadata.name in ${JSON.stringify(Object.keys(BUILTIN_POOLS))})`;
const limits = (r: Root): string => `(has(${r}.spec.limits) ? ${r}.spec.limits : {})`;

const limitsMissing: FindingCel = {
  hit: (r) =>
    `!${builtin(r)} && !has(${r}.spec.replicas) && !('cpu' in ${limits(r)} || 'memory' in ${limits(r)} || 'nodes' in ${limits(r)})`,
  what: text(
    'spec.limits sets no cpu, memory or nodes limit, so a runaway workload or a bad HPA buys nodes without bound',
  ),
  brief: text('spec.limits sets no cpu, memory or nodes limit'),
  fix: text('set spec.limits.cpu (and memory) to what the pool may spend at most'),
  plainFix: text('set spec.limits.cpu to what the pool may spend at most'),
  briefFix: text('set spec.limits.cpu and memory'),
};

const expiryNever: FindingCel = {
  hit: (r) => `has(${r}.spec.template.spec.expireAfter) && ${r}.spec.template.spec.expireAfter == 'Never'`,
  what: text(
    'expireAfter is Never: its nodes keep old kernels, images and configuration for as long as they live',
  ),
  fix: text(
    "set spec.template.spec.expireAfter (Karpenter's default is 720h) and keep a PDB on every workload",
  ),
  plainFix: text('set spec.template.spec.expireAfter and keep a PDB on every workload'),
};

const tagList = (p: Readonly<Record<string, unknown>>): string =>
  Array.isArray(p.tags) ? p.tags.map(String).join(',') : '';

export const REVIEW_RULES: readonly GeneratedRule[] = [
  {
    id: 'nodeclass-imds-open',
    resources: [EC2_NODECLASSES],
    namespaced: false,
    shared: [],
    findings: [imdsOpen],
    params: (p) => ({ maxHopLimit: String(num(p, 'maxHopLimit', 1)) }),
  },
  {
    id: 'nodepool-limits-missing',
    resources: [NODEPOOLS],
    namespaced: false,
    shared: [],
    findings: [limitsMissing],
    params: () => ({}),
  },
  {
    id: 'nodepool-expiry-never',
    resources: [NODEPOOLS],
    namespaced: false,
    shared: [],
    findings: [expiryNever],
    params: () => ({}),
  },
  {
    id: 'nodeclass-cost-tags-missing',
    resources: NODECLASSES,
    namespaced: false,
    shared: [],
    findings: [costTagsMissing],
    params: (p) => ({ tags: tagList(p) }),
  },
];
