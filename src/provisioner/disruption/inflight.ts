/**
 * Decisions under way, several at once (Karpenter's orchestration queue): the nodes of each decision
 * marked and not yet validated, grouped by the decision that marked them, and what all of them still
 * hold — the nodes being disrupted, their pods yet to move, and the replacements launched for them that
 * have not joined — so that a new decision is simulated beside them. Pure.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { ExistingNode, PlannedNode } from '../solver/model.js';
import { fromAllocatable } from '../solver/resources.js';
import {
  DECISION_ANNOTATION,
  DISRUPTION_ANNOTATION,
  REPLACEMENTS_ANNOTATION,
  SINCE_ANNOTATION,
  VALIDATING,
} from './marks.js';
import { moves } from './pods.js';
import { claimsOf, sinceOf, type Launcher } from './replacements.js';
import { queueFull } from './turns.js';
import { disrupting, type Classified, type Kept } from './candidates.js';
import type { Inflight, World } from './world.js';
import { NO_LAUNCHER } from './decision.js';

/** One decision whose nodes are marked `validating:`: its replacements join, then the delay, then the check. */
export interface UnderWay {
  readonly key: string;
  readonly method: string;
  readonly nodes: readonly V1Node[];
  readonly claims: readonly string[];
  /** When it was made (ms), if recorded. */
  readonly since: number | undefined;
}

const annotation = (n: V1Node, key: string) => n.metadata?.annotations?.[key];

/**
 * The decisions under validation, in the order they were made. A decision is known by its id
 * annotation; nodes a leader marked before decisions carried one are grouped by their mark's time and
 * replacements, which a decision's nodes share.
 */
export function underWay(nodes: readonly V1Node[]): UnderWay[] {
  const groups = new Map<string, V1Node[]>();
  for (const n of nodes) {
    const phase = annotation(n, DISRUPTION_ANNOTATION);
    if (phase?.startsWith(VALIDATING) !== true) continue;
    const key =
      annotation(n, DECISION_ANNOTATION) ??
      `${phase}|${annotation(n, SINCE_ANNOTATION) ?? ''}|${annotation(n, REPLACEMENTS_ANNOTATION) ?? ''}`;
    const members = groups.get(key);
    if (members) members.push(n);
    else groups.set(key, [n]);
  }
  const out = [...groups].map(([key, members]): UnderWay => {
    const first = members[0] as V1Node;
    return {
      key,
      method: (annotation(first, DISRUPTION_ANNOTATION) ?? '').slice(VALIDATING.length),
      nodes: members,
      claims: claimsOf(first),
      since: sinceOf(first),
    };
  });
  return out.sort((a, b) => (a.since ?? 0) - (b.since ?? 0) || a.key.localeCompare(b.key));
}

/** A replacement not joined yet, as the node it will be (the planned node's labels, taints and type). */
export function asJoining(p: PlannedNode, catalog: Catalog): ExistingNode | undefined {
  const type = catalog.byName(p.instanceType);
  if (!type) return undefined;
  return {
    name: p.name,
    labels: { ...p.labels, [LABEL.hostname]: p.name },
    taints: p.taints,
    allocatable: fromAllocatable(type.allocatable),
    pods: [],
    inFlight: true,
  };
}

/** The replacements launched (`launches`) whose Nodes have not registered, as the nodes they will be. */
export function joiningOf(
  launches: readonly PlannedNode[],
  nodes: readonly V1Node[],
  providerIds: ReadonlyMap<string, string>,
  catalog: Catalog,
): ExistingNode[] {
  return launches.flatMap((p) => {
    const x = registered(p.name, nodes, providerIds) ? undefined : asJoining(p, catalog);
    return x ? [x] : [];
  });
}

/**
 * What the decisions under way hold: `joining` are their replacements whose Nodes have not registered
 * (as `asJoining` makes them). Nodes being disrupted that Berth did not mark (deleted by someone else)
 * count too: their pods are about to need room as well.
 */
export function inflightOf(
  nodes: readonly V1Node[],
  podsByNode: ReadonlyMap<string, readonly V1Pod[]>,
  joining: readonly ExistingNode[],
): Inflight | undefined {
  const going = nodes.filter(disrupting).map((n) => n.metadata?.name ?? '');
  if (going.length === 0 && joining.length === 0) return undefined;
  return {
    nodes: new Set(going),
    pods: going.flatMap((name) => (podsByNode.get(name) ?? []).filter(moves)),
    replacements: joining,
  };
}

/** The claims launched for the nodes being disrupted (validating or draining). */
export const replacementClaims = (nodes: readonly V1Node[]): string[] => [
  ...new Set(nodes.filter(disrupting).flatMap(claimsOf)),
];

/**
 * Whether a node is the replacement of a decision under way (by its name or its instance's
 * providerID): it is empty until the drain moves the pods it was bought for, and is never a candidate.
 */
export function isReplacement(
  node: V1Node,
  claims: readonly string[],
  providerIds: ReadonlyMap<string, string>,
): boolean {
  return claims.some((c) => registered(c, [node], providerIds));
}

/** Whether a claim's Node has registered (by name or its instance's providerID), Ready or not. */
export function registered(
  claim: string,
  nodes: readonly V1Node[],
  ids: ReadonlyMap<string, string>,
): boolean {
  const id = ids.get(claim);
  return nodes.some((n) => n.metadata?.name === claim || (id !== undefined && n.spec?.providerID === id));
}

/**
 * Candidates `why` keeps: the replacements of decisions under way (empty until the drain moves their
 * pods onto them) and the nodes of this leader's decisions that the cache does not show marked yet.
 */
export function keepOut(c: Classified, why: (n: V1Node) => string | undefined): Classified {
  const out: Kept[] = [];
  const candidates = c.candidates.filter((n) => {
    const reason = why(n.node);
    if (reason !== undefined) out.push({ node: n.name, reason });
    return reason === undefined;
  });
  return out.length === 0 ? c : { ...c, candidates, kept: [...c.kept, ...out] };
}

/**
 * The replacements an abandoned decision may terminate: those whose Node has not joined or runs no
 * pod. One that kube-scheduler has already filled (pods of other drains, new replicas) stays, as
 * capacity like any other node: terminating it would end those pods without an eviction.
 */
export function idleClaims(
  claims: readonly string[],
  nodes: readonly V1Node[],
  pods: readonly V1Pod[],
  providerIds: ReadonlyMap<string, string> = new Map(),
): string[] {
  const busy = new Set(pods.filter(moves).map((p) => p.spec?.nodeName ?? ''));
  return claims.filter((c) => {
    const node = nodes.find((n) => registered(c, [n], providerIds));
    return node === undefined || !busy.has(node.metadata?.name ?? '');
  });
}

/**
 * When a round's decisions may launch nothing: without a launcher. And when its consolidations may
 * launch nothing: while `replacing` replacing consolidations are under way, the most there may be
 * (turns.ts: they launch one after another). Drift and expiration, which must happen, replace side
 * by side within the budgets, as in Karpenter.
 */
export function launchLimits(
  launcher: boolean,
  replacing: number,
): { deleteOnly?: string; replacing?: string } {
  if (!launcher) return { deleteOnly: NO_LAUNCHER };
  const full = queueFull(replacing);
  return full === undefined ? {} : { replacing: full };
}

/**
 * The cluster a replacing consolidation is checked against in its turn: the decisions behind it in
 * the queue (validating, nothing launched) hold no room yet — each is checked again in its own turn —
 * so their pods stay where they are, out of the simulation (their nodes stay gone). Only the
 * decisions ahead of it, launched or draining, keep the room they were planned with. Without this,
 * identical pods of the decisions behind were placed on the joining replacement planned for this
 * one, which then seemed to launch for their pods and was abandoned.
 */
export function aheadOnly(w: World, launched: ReadonlySet<string>): World {
  const inflight = w.inflight;
  if (!inflight) return w;
  const queued = new Set(
    w.nodes
      .filter(
        (n) =>
          annotation(n, DISRUPTION_ANNOTATION)?.startsWith(VALIDATING) === true &&
          claimsOf(n).length === 0 &&
          !launched.has(n.metadata?.name ?? ''),
      )
      .map((n) => n.metadata?.name ?? ''),
  );
  if (queued.size === 0) return w;
  const pods = inflight.pods.filter((p) => !queued.has(p.spec?.nodeName ?? ''));
  return { ...w, inflight: { ...inflight, pods } };
}

/** The providerIDs of the replacements of every node being disrupted (those launched so far). */
export async function replacementIdsOf(
  nodes: readonly V1Node[],
  launcher: Pick<Launcher, 'providerIds'> | undefined,
): Promise<ReadonlyMap<string, string>> {
  const claims = replacementClaims(nodes);
  if (claims.length === 0 || !launcher) return new Map();
  return launcher.providerIds(claims);
}
