/**
 * One round of every drain under way: each node's next eviction step, then the instance terminated and
 * the Node deleted for those done, with an Event on each — NODES_AT_ONCE nodes at a time (a 100-node
 * consolidation at 10,000 pods, one node after another through a saturated API server, drained for
 * ten minutes).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink, InvolvedObject } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import { drainStep, drainDeadline } from './drainer.js';
import { DISRUPTION_ANNOTATION, REPAIR_PHASE } from './marks.js';
import type { NodeOps } from './node-ops.js';
import type { Pdbs } from './pods.js';
import { sinceOf } from './replacements.js';
import type { Outcome } from './round.js';
import type { World } from './simulate.js';
import { eachLimited } from '../../util/limited.js';

/** Nodes whose writes (marks, eviction steps, terminations) go at once: as many as a round's launches. */
export const NODES_AT_ONCE = 16;

/** `f` over the nodes, NODES_AT_ONCE at a time. */
export function eachNode<T>(nodes: readonly T[], f: (node: T) => Promise<void>): Promise<void> {
  return eachLimited(nodes, NODES_AT_ONCE, () => true, f);
}

export interface DrainHands {
  readonly ops: NodeOps;
  readonly metrics: Metrics;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly involved: (node: string) => InvolvedObject;
}

/** A Node as an Event's object (its uid, when known, lets `kubectl describe node` find the Event). */
export const nodeRef = (name: string, uid: string | undefined): InvolvedObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  name,
  namespace: '',
  ...(uid !== undefined ? { uid } : {}),
});

const methodOf = (phase: string | undefined) => (phase ?? '').replace(/^[a-z]+:/, '');
const names = (xs: readonly V1Node[]) => xs.map((n) => n.metadata?.name ?? '');

/** The nodes whose drain ended this round (`terminated`), and those still draining. */
export async function drainNodes(
  h: DrainHands,
  w: World,
  nodes: readonly V1Node[],
  o: { now: Date; pdbs: Pdbs },
): Promise<Outcome[]> {
  let evicted = 0;
  let blocked = 0;
  const done = new Set<V1Node>();
  const pdbOf = (pod: V1Pod) => o.pdbs.over(pod)[0]?.id;
  await eachNode(nodes, async (node) => {
    const name = node.metadata?.name ?? '';
    const deadline = drainDeadline(node, w.pools, sinceOf(node));
    const step = await drainStep(h.ops, h.metrics, w.podsByNode.get(name) ?? [], {
      node: name,
      now: o.now,
      ...(deadline !== undefined ? { deadline } : {}),
      pdbOf,
      ...(node.metadata?.annotations?.[DISRUPTION_ANNOTATION] === REPAIR_PHASE
        ? { unready: 'delete' as const }
        : {}),
    });
    if (step.done) done.add(node);
    evicted += step.evicted;
    blocked += step.blocked;
  });
  const finished = nodes.filter((n) => done.has(n));
  await eachNode(finished, async (node) => {
    const name = node.metadata?.name ?? '';
    await h.ops.terminate(node);
    h.metrics.nodesDisrupted.inc({ method: methodOf(node.metadata?.annotations?.[DISRUPTION_ANNOTATION]) });
    h.events.emit({
      involved: h.involved(name),
      type: 'Normal',
      reason: 'Disrupted',
      message: 'drained; instance terminated and Node deleted',
    });
    h.logger.info({ node: name }, 'node disrupted');
  });
  const left = nodes.filter((n) => !finished.includes(n));
  return [
    ...(finished.length > 0 ? [{ kind: 'terminated' as const, nodes: names(finished) }] : []),
    ...(left.length > 0 ? [{ kind: 'draining' as const, nodes: names(left), evicted, blocked }] : []),
  ];
}
