/**
 * Which labels a NodePool's nodes carry, by who launches them. Karpenter (and Berth) nodes describe
 * their instance with `karpenter.k8s.aws/instance-*`; EKS Auto Mode nodes with `eks.amazonaws.com/
 * instance-*` and carry `eks.amazonaws.com/compute-type: auto`. The catalog speaks Karpenter's
 * vocabulary, so an Auto Mode requirement is read through its Karpenter twin.
 */
import { LABEL } from '../catalog/instance-type.js';
import { Requirements, type Requirement } from './requirements.js';

export type Vocabulary = 'karpenter' | 'auto';

export const KARPENTER_PREFIX = 'karpenter.k8s.aws/';
export const AUTO_PREFIX = 'eks.amazonaws.com/';
export const COMPUTE_TYPE = 'eks.amazonaws.com/compute-type';
export const AUTO_NODECLASS = 'eks.amazonaws.com/nodeclass';

/** Labels of the node and its offering, the same on both kinds of node. */
const COMMON: ReadonlySet<string> = new Set([
  LABEL.instanceType,
  LABEL.arch,
  LABEL.os,
  LABEL.zone,
  LABEL.region,
  LABEL.capacityType,
]);

/** Instance labels (name after the prefix) the catalog models, under `karpenter.k8s.aws/`. */
const MODELLED: ReadonlySet<string> = new Set(
  Object.values(LABEL)
    .filter((k) => k.startsWith(KARPENTER_PREFIX))
    .map((k) => k.slice(KARPENTER_PREFIX.length)),
);

/** Instance labels real nodes carry whose values the catalog does not hold: never narrowed, never denied. */
const UNMODELLED: ReadonlySet<string> = new Set([
  'instance-encryption-in-transit-supported',
  'instance-ebs-bandwidth',
  'instance-cpu-sustained-clock-speed-mhz',
  'instance-capability-flex',
]);

const PREFIX: Readonly<Record<Vocabulary, string>> = { karpenter: KARPENTER_PREFIX, auto: AUTO_PREFIX };
const OTHER: Readonly<Record<Vocabulary, Vocabulary>> = { karpenter: 'auto', auto: 'karpenter' };

/**
 * What a label key is on a pool of this vocabulary:
 * - `instance`: comes from the instance type or offering (the pool need not set it); `catalogKey` is the
 *   key the catalog's types carry, or undefined when the catalog does not model it;
 * - `foreign`: an instance label of the other vocabulary, which these nodes never carry;
 * - `pool`: anything else, which a node carries only when its NodePool sets it.
 */
export type LabelRole =
  | { readonly kind: 'instance'; readonly catalogKey: string | undefined }
  | { readonly kind: 'foreign'; readonly use: string | undefined }
  | { readonly kind: 'pool' };

const POOL: LabelRole = { kind: 'pool' };

function instanceName(key: string, vocabulary: Vocabulary): string | undefined {
  const prefix = PREFIX[vocabulary];
  if (!key.startsWith(prefix)) return undefined;
  const name = key.slice(prefix.length);
  return MODELLED.has(name) || UNMODELLED.has(name) ? name : undefined;
}

const roles: Readonly<Record<Vocabulary, Map<string, LabelRole>>> = { karpenter: new Map(), auto: new Map() };

export function labelRole(key: string, vocabulary: Vocabulary): LabelRole {
  const cache = roles[vocabulary];
  let role = cache.get(key);
  if (role === undefined) {
    role = computeRole(key, vocabulary);
    if (cache.size < 10_000) cache.set(key, role);
  }
  return role;
}

function computeRole(key: string, vocabulary: Vocabulary): LabelRole {
  if (COMMON.has(key)) return { kind: 'instance', catalogKey: key };
  const own = instanceName(key, vocabulary);
  if (own !== undefined)
    return { kind: 'instance', catalogKey: MODELLED.has(own) ? KARPENTER_PREFIX + own : undefined };
  const foreign = instanceName(key, OTHER[vocabulary]);
  if (foreign !== undefined) {
    const twin = PREFIX[vocabulary] + foreign;
    return { kind: 'foreign', use: instanceName(twin, vocabulary) === undefined ? undefined : twin };
  }
  return POOL;
}

/** Whether the key comes from the instance type or offering on a pool of this vocabulary. */
export const isInstanceLabel = (key: string, vocabulary: Vocabulary): boolean =>
  labelRole(key, vocabulary).kind === 'instance';

/**
 * Requirements rewritten for the catalog: instance labels under the catalog's key; labels the catalog
 * does not model, and foreign ones (already checked to allow their absence), dropped. Identity (the
 * same object) when nothing changes, so memoized lookups keyed on it still hit.
 */
export function inCatalogTerms(reqs: Requirements, vocabulary: Vocabulary): Requirements {
  let changed = false;
  const out: Requirement[] = [];
  for (const r of reqs.values()) {
    const role = labelRole(r.key, vocabulary);
    if (role.kind === 'pool') out.push(r);
    else if (role.kind === 'foreign' || role.catalogKey === undefined) changed = true;
    else if (role.catalogKey === r.key) out.push(r);
    else {
      out.push({ ...r, key: role.catalogKey });
      changed = true;
    }
  }
  if (!changed) return reqs;
  const result = new Requirements();
  for (const r of out) result.add(r);
  return result;
}

/** The key as a pool of this vocabulary names it (`karpenter.k8s.aws/instance-family` → its Auto Mode twin). */
export function inVocabulary(key: string, vocabulary: Vocabulary): string {
  if (vocabulary === 'karpenter' || !key.startsWith(KARPENTER_PREFIX)) return key;
  return AUTO_PREFIX + key.slice(KARPENTER_PREFIX.length);
}

/** How a message names the kind of pool. */
export function describeVocabulary(vocabulary: Vocabulary): string {
  return vocabulary === 'auto' ? 'an EKS Auto Mode pool' : 'a Karpenter pool';
}

export function poolsLabel(vocabulary: Vocabulary): string {
  return vocabulary === 'auto' ? 'Auto Mode pools' : 'Karpenter pools';
}
