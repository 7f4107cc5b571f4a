/** compute.* → requests on app containers that set none; memory limit from memoryLimit or the ratio. */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { formatMemory, memoryMiB, parseQuantity } from '../../kube/quantity.js';
import { setAtPodLevel } from '../../kube/resources.js';
import type { WorkloadProfileSpec } from '../schema/profile-schema.js';

type Compute = NonNullable<WorkloadProfileSpec['compute']>;
type ResourceMap = Record<string, string>;

function setIfUnset(map: ResourceMap, key: string, value: string | undefined): boolean {
  if (value === undefined || map[key] !== undefined) return false;
  map[key] = value;
  return true;
}

/** A request never above an explicit limit (the API server would reject request > limit). */
function cappedRequest(limit: string | undefined, wanted: string | undefined): string | undefined {
  if (wanted === undefined || limit === undefined) return wanted;
  const l = parseQuantity(limit);
  const w = parseQuantity(wanted);
  return l !== undefined && w !== undefined && w > l ? limit : wanted;
}

/** The profile's requests the pod's own pod-level resources leave to its containers. */
interface Wanted {
  cpu: string | undefined;
  memory: string | undefined;
}

function applyTo(c: V1Container, compute: Compute, wanted: Wanted, ratio: number, notes: string[]): void {
  const resources = (c.resources ??= {});
  const requests = (resources.requests ??= {});
  const limits = (resources.limits ??= {});
  const cpu = cappedRequest(limits.cpu, wanted.cpu);
  const mem = cappedRequest(limits.memory, wanted.memory);
  if (setIfUnset(requests, 'cpu', cpu)) notes.push(`container ${c.name}: cpu request ${String(cpu)}`);
  if (setIfUnset(requests, 'memory', mem)) notes.push(`container ${c.name}: memory request ${String(mem)}`);
  if (limits.memory === undefined && requests.memory !== undefined) {
    const fromRatio = (): string | undefined => {
      const m = memoryMiB(requests.memory);
      return m === undefined ? undefined : formatMemory(m * ratio);
    };
    const value = compute.memoryLimit ?? fromRatio();
    if (setIfUnset(limits, 'memory', value)) notes.push(`container ${c.name}: memory limit ${String(value)}`);
  }
  if (setIfUnset(limits, 'cpu', compute.cpuLimit))
    notes.push(`container ${c.name}: cpu limit ${String(compute.cpuLimit)}`);
  if (Object.keys(requests).length === 0) delete resources.requests;
  if (Object.keys(limits).length === 0) delete resources.limits;
  if (Object.keys(resources).length === 0) delete c.resources;
}

export function compileCompute(
  spec: V1PodSpec,
  compute: Compute | undefined,
  ratio: number,
  notes: string[],
): void {
  if (!compute) return;
  const targets =
    compute.container === undefined
      ? spec.containers
      : spec.containers.filter((c) => c.name === compute.container);
  if (compute.container !== undefined && targets.length === 0) {
    notes.push(`compute.container ${compute.container} names no container; requests not applied`);
  }
  // Pod-level resources (Kubernetes 1.34) win: a container request beside them could only fight them
  // (the API server refuses container requests above the pod's), so the profile leaves that resource.
  const wanted: Wanted = { cpu: compute.cpuRequest, memory: compute.memoryRequest };
  for (const r of ['cpu', 'memory'] as const)
    if (setAtPodLevel(spec, r) && wanted[r] !== undefined) {
      notes.push(`pod-level resources set ${r}: compute.${r}Request not applied to containers`);
      wanted[r] = undefined;
    }
  for (const c of targets) applyTo(c, compute, wanted, ratio, notes);
}
