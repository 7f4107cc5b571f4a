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
import { drainStep, drainDeadline, type SurgeHands, type SurgeNote } from './drainer.js';
import { moveOf, type Move, type SurgeView } from './surge.js';
import { DISRUPTION_ANNOTATION, REPAIR_PHASE } from './marks.js';
import type { NodeOps } from './node-ops.js';
import { podId, type Pdbs } from './pods.js';
import { sinceOf } from './replacements.js';
import type { Outcome } from './round.js';
import { eachLimited } from '../../util/limited.js';
import type { World } from './world.js';

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
  /**
   * Single replicas moved surge-first (policies.yaml runtimeClasses.<class>.surgeFirst), and each
   * pod's note as last told (an Event on its Deployment and the metric once, not every round).
   */
  readonly surge?: { readonly view: SurgeView; readonly told: Map<string, string> };
}

/** The Event a surge-first note is told by, on the pod's Deployment. */
function surgeEvent(
  pod: V1Pod,
  move: Move & { kind: 'surge' },
  note: SurgeNote,
  node: string,
  method: string,
) {
  const d = move.deployment.metadata;
  const name = pod.metadata?.name ?? '';
  const started = note.kind === 'started';
  return {
    involved: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: d?.namespace ?? 'default',
      name: d?.name ?? '',
      uid: d?.uid,
    },
    type: started ? ('Normal' as const) : ('Warning' as const),
    reason: started ? 'SurgeMove' : 'SurgeMoveFallback',
    message: started
      ? `pod ${name} moves off node ${node} (${method}) surge-first: a new pod starts on other capacity and is Ready before it stops, as kubectl rollout restart moves it; no eviction`
      : `pod ${name} on node ${node} (${method}) is evicted instead of moved surge-first: ${note.why}`,
  };
}

function surgeHands(h: DrainHands, node: string, method: string): SurgeHands | undefined {
  if (!h.surge) return undefined;
  const { view, told } = h.surge;
  return {
    moveOf: (pod) => moveOf(pod, view),
    onSurge: (pod, move, note) => {
      const key = pod.metadata?.uid ?? `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
      if (told.get(key) === note.kind) return;
      told.set(key, note.kind);
      if (told.size > 10_000) told.delete(told.keys().next().value ?? '');
      h.metrics.surgeMoves.inc({ result: note.kind });
      h.events.emit(surgeEvent(pod, move, note, node, method));
      h.logger.info({ pod: podId(pod), node, result: note.kind }, 'surge-first move');
    },
  };
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
    const surge = surgeHands(h, name, methodOf(node.metadata?.annotations?.[DISRUPTION_ANNOTATION]));
    const step = await drainStep(h.ops, h.metrics, w.podsByNode.get(name) ?? [], {
      node: name,
      now: o.now,
      ...(surge ? { surge } : {}),
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
