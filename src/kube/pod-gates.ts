/** Lifting one scheduling gate off a pod: the only change to spec.schedulingGates the API allows. */
import { PatchStrategy, setHeaderOptions, type CoreV1Api } from '@kubernetes/client-node';
import { statusOf } from './client.js';

/**
 * Removes the gate named `gate` from a pod, by its index in the list as last seen and a JSON patch
 * that tests the name first: a pod changed since (its gates reordered) or gone answers 422 or 404,
 * which is `false` (nothing lifted; the next look reads it afresh). Other errors throw.
 */
export async function liftGate(
  core: Pick<CoreV1Api, 'patchNamespacedPod'>,
  pod: { namespace: string; name: string; gates: readonly { name?: string }[] },
  gate: string,
): Promise<boolean> {
  const i = pod.gates.findIndex((g) => g.name === gate);
  if (i < 0) return false;
  const body = [
    { op: 'test', path: `/spec/schedulingGates/${i}/name`, value: gate },
    { op: 'remove', path: `/spec/schedulingGates/${i}` },
  ];
  try {
    await core.patchNamespacedPod(
      { name: pod.name, namespace: pod.namespace, body, fieldManager: 'berth' },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    return true;
  } catch (e) {
    const code = statusOf(e);
    if (code === 404 || code === 422 || code === 409) return false;
    throw e;
  }
}
