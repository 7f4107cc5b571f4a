/**
 * kwok v0.8.0 can miss a pod bound within milliseconds of its Node's creation: the pod's event comes
 * before kwok manages the Node, the Node's own sync of its pods comes before the binding, and the pod
 * stays Pending until its next change (seen once in a chaos run: 8 minutes, a Running kubelet would
 * have started it at once). Berth lifts its scheduling gate as a claim's Node registers, so its pods
 * bind in that window more often than most.
 *
 * The tier stands in for the kubelet kwok is, not for kwok's bugs: every 10 s, a pod bound to a kwok
 * Node more than 30 s ago and still Pending gets an annotation, the change kwok then acts on. Each such
 * touch is written to kwok's log, so a run that needed one says so.
 */
import type { WriteStream } from 'node:fs';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';

export const NUDGE_ANNOTATION = 'e2e.berth.dev/kwok-nudged';
const KWOK_NODE = 'kwok.x-k8s.io/node';
const EVERY_MS = 10_000;
const STUCK_MS = 30_000;

/** When the pod was bound (its PodScheduled condition turned True), or undefined. */
function boundAt(p: V1Pod): number | undefined {
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'PodScheduled' && x.status === 'True');
  return c?.lastTransitionTime === undefined ? undefined : new Date(c.lastTransitionTime).getTime();
}

/** Pods bound more than STUCK_MS ago that kwok has not started, on the Nodes kwok manages. */
export function stuckPods(pods: readonly V1Pod[], kwokNodes: ReadonlySet<string>, now: number): V1Pod[] {
  return pods.filter((p) => {
    const at = boundAt(p);
    return (
      p.metadata?.deletionTimestamp === undefined &&
      kwokNodes.has(p.spec?.nodeName ?? '') &&
      at !== undefined &&
      now - at > STUCK_MS
    );
  });
}

async function nudgeOnce(core: CoreV1Api, log: WriteStream): Promise<void> {
  const pending = await core.listPodForAllNamespaces({
    fieldSelector: 'status.phase=Pending,spec.nodeName!=',
  });
  if (pending.items.length === 0) return;
  const nodes = await core.listNode();
  const kwokNodes = new Set(
    nodes.items
      .filter((n) => n.metadata?.annotations?.[KWOK_NODE] !== undefined)
      .map((n) => n.metadata?.name ?? ''),
  );
  for (const p of stuckPods(pending.items, kwokNodes, Date.now())) {
    const name = p.metadata?.name ?? '';
    const namespace = p.metadata?.namespace ?? 'default';
    await core.patchNamespacedPod(
      {
        name,
        namespace,
        body: { metadata: { annotations: { [NUDGE_ANNOTATION]: new Date().toISOString() } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    log.write(
      `berth e2e: kwok left ${namespace}/${name} Pending ${String(Math.round((Date.now() - (boundAt(p) ?? 0)) / 1000))} s after binding to ${p.spec?.nodeName ?? ''}; touched it\n`,
    );
  }
}

/** Starts the loop; the returned function stops it. */
export function startKwokNudge(kubeconfig: string, log: WriteStream): () => void {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const t = setInterval(() => {
    nudgeOnce(core, log).catch((e: unknown) => {
      log.write(`berth e2e: kwok nudge: ${String(e)}\n`);
    });
  }, EVERY_MS);
  t.unref();
  return () => clearInterval(t);
}
