/**
 * Replacements launched before a node is drained (Karpenter's pre-spin): the claims recorded on the
 * node being disrupted, whether their Nodes have joined and are Ready, and the cloud side that
 * launches and, when a decision is abandoned, terminates them (a joined one through its NodeClaim's
 * deletion, so that its Node is drained and released like any other).
 */
import type { V1Node } from '@kubernetes/client-node';
import type { PlannedNode } from '../solver/model.js';
import type { CloudProvider } from '../cloud/provider.js';
import type { ClaimLauncher } from '../nodeclaim/launcher.js';
import { discard, type ClaimStore } from '../nodeclaim/store.js';
import type { Res } from '../solver/resources.js';
import { REPLACEMENTS_ANNOTATION, SINCE_ANNOTATION } from './marks.js';

export interface Launcher {
  /** Launches the planned node as a claim named after it; `reason` is Karpenter's disruption reason. */
  launch(node: PlannedNode, reason?: string): Promise<void>;
  /** Terminates what was launched for these claims (a decision abandoned). */
  cancel(claims: readonly string[]): Promise<void>;
  /** The providerID of each claim's instance, once launched (a Node joins under it). */
  providerIds(claims: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

export function claimsOf(node: V1Node): string[] {
  const v = node.metadata?.annotations?.[REPLACEMENTS_ANNOTATION];
  return v === undefined || v === '' ? [] : v.split(',');
}

/** When the decision that marked the node was made (ms), if recorded. */
export function sinceOf(node: V1Node): number | undefined {
  const v = node.metadata?.annotations?.[SINCE_ANNOTATION];
  const t = v === undefined ? Number.NaN : Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * The claims whose Node has not joined, or is not Ready yet. A Node is a claim's by its name or the
 * providerID of the claim's instance (a kubelet that registers without Berth's labels).
 */
export function notReady(
  claims: readonly string[],
  nodes: readonly V1Node[],
  providerIds: ReadonlyMap<string, string> = new Map(),
): string[] {
  return claims.filter(
    (claim) =>
      !nodes.some(
        (n) =>
          (n.metadata?.name === claim ||
            (n.spec?.providerID !== undefined && n.spec.providerID === providerIds.get(claim))) &&
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
      ),
  );
}

/**
 * The cloud as a Launcher: each replacement is a NodeClaim launched through the claim launcher (its
 * requests: the pods the decision moves onto it), whose providerID its claim records; an abandoned
 * decision terminates what was launched and discards the claims.
 */
export function claimLauncher(
  launcher: Pick<ClaimLauncher, 'launch'>,
  claims: ClaimStore,
  cloud: CloudProvider,
  requests: (podIds: readonly string[]) => Res,
): Launcher {
  return {
    launch: async (p, reason) => {
      await launcher.launch(p, requests(p.pods), reason);
    },
    cancel: async (names) => {
      // A claim whose Node registered is deleted as `kubectl delete nodeclaim` would: its Node is
      // drained and terminated and the finalizers come off both. One that never joined goes at once.
      const joined = names.filter((n) => claims.get(n)?.status?.nodeName !== undefined);
      const rest = names.filter((n) => !joined.includes(n));
      for (const name of joined) await claims.delete(name);
      for (const i of await cloud.list()) if (rest.includes(i.claim)) await cloud.delete(i.id);
      for (const name of rest) await discard(claims, name);
    },
    providerIds: (names) =>
      Promise.resolve(
        new Map(
          names.flatMap((n) => {
            const id = claims.get(n)?.status?.providerID;
            return id === undefined ? [] : [[n, id] as const];
          }),
        ),
      ),
  };
}
