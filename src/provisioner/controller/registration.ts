/**
 * Registration, as Karpenter's: a Node of an instance Berth launched gets what the solver planned and
 * the kubelet could not or did not set — the NodePool's labels, the instance type's labels, the claim
 * label, the NodePool's taints and start-up taints — once, then `karpenter.sh/registered: "true"` and
 * the `karpenter.sh/unregistered` taint lifted. A kubelet that registered everything gets only that.
 */
import type { V1Node, V1Taint } from '@kubernetes/client-node';
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { taintObject, type Taint } from '../../scheduling/taints.js';
import { UNREGISTERED_TAINT } from '../cloud/aws-launch.js';
import { instanceIdOf, instanceLabels, type Instance } from '../cloud/provider.js';

export const REGISTERED_LABEL = 'karpenter.sh/registered';

export interface Wanted {
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export interface RegistrationPatch {
  readonly labels: Record<string, string>;
  readonly taints: V1Taint[];
}

/** What the Node of this instance must carry. */
export function wanted(instance: Instance, pool: PoolView | undefined, catalog: Catalog): Wanted {
  const spec = pool?.pool.spec.template.spec;
  return {
    labels: { ...(pool?.labels ?? {}), ...instanceLabels(instance, catalog.byName(instance.instanceType)) },
    taints: [...(pool?.taints ?? []), ...(spec?.startupTaints ?? [])],
  };
}

const same = (a: { key: string; effect: string }, b: { key: string; effect: string }) =>
  a.key === b.key && a.effect === b.effect;

/** The labels to add or correct and the Node's whole new taint list; undefined once registered. */
export function registrationPatch(node: V1Node, want: Wanted): RegistrationPatch | undefined {
  const have = node.metadata?.labels ?? {};
  if (have[REGISTERED_LABEL] === 'true') return undefined;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(want.labels)) if (k !== LABEL.hostname && have[k] !== v) labels[k] = v;
  labels[REGISTERED_LABEL] = 'true';
  const taints = (node.spec?.taints ?? []).filter((t) => !same(t, UNREGISTERED_TAINT));
  for (const t of want.taints) if (!taints.some((x) => same(x, t))) taints.push(taintObject(t));
  return { labels, taints };
}

export interface RegistrationDeps {
  readonly instanceOf: (id: string) => Instance | undefined;
  readonly pools: () => readonly PoolView[];
  readonly catalog: () => Catalog;
  readonly patch: (node: V1Node, patch: RegistrationPatch) => Promise<void>;
  readonly onError?: (message: string, cause: unknown) => void;
}

/** Registers the Nodes of Berth's instances that are not registered yet; returns their names. */
export async function register(nodes: readonly V1Node[], d: RegistrationDeps): Promise<string[]> {
  const done: string[] = [];
  for (const node of nodes) {
    if (node.metadata?.labels?.[REGISTERED_LABEL] === 'true') continue;
    const id = instanceIdOf(node.spec?.providerID);
    const instance = id === undefined ? undefined : d.instanceOf(id);
    if (!instance) continue;
    const pool = d.pools().find((p) => p.name === instance.nodePool);
    const patch = registrationPatch(node, wanted(instance, pool, d.catalog()));
    if (!patch) continue;
    try {
      await d.patch(node, patch);
      done.push(node.metadata?.name ?? '');
    } catch (e) {
      d.onError?.(`registering Node ${node.metadata?.name ?? ''}`, e);
    }
  }
  return done;
}
