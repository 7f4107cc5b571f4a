/**
 * Resource vectors as the solver adds and compares them: CPU millis, memory MiB, pod slots, ephemeral
 * storage MiB and the accelerators an instance type supplies (NVIDIA and AMD GPUs, Neuron devices and
 * cores). Written out field by field: these run in the packing's innermost loops.
 */
import type { Resources } from '../../catalog/instance-type.js';
import type { PodRequests } from '../../kube/resources.js';

export interface Res {
  cpu: number;
  mem: number;
  pods: number;
  gpu: number;
  eph: number;
  amd: number;
  neuron: number;
  core: number;
}

/** Every dimension, for code that loops (the LP, messages); hot paths spell them out. */
export const DIMS = ['cpu', 'mem', 'pods', 'gpu', 'eph', 'amd', 'neuron', 'core'] as const;

export const ZERO: Readonly<Res> = Object.freeze({
  cpu: 0,
  mem: 0,
  pods: 0,
  gpu: 0,
  eph: 0,
  amd: 0,
  neuron: 0,
  core: 0,
});

export function res(cpu: number, mem: number, pods = 1, gpu = 0): Res {
  return { ...ZERO, cpu, mem, pods, gpu };
}

/** Larger requests first: accelerators, then CPU, then memory (a sort comparator). */
export function largerFirst(a: Readonly<Res>, b: Readonly<Res>): number {
  return (
    b.gpu - a.gpu || b.amd - a.amd || b.neuron - a.neuron || b.core - a.core || b.cpu - a.cpu || b.mem - a.mem
  );
}

export function sub(a: Readonly<Res>, b: Readonly<Res>): Res {
  return {
    cpu: a.cpu - b.cpu,
    mem: a.mem - b.mem,
    pods: a.pods - b.pods,
    gpu: a.gpu - b.gpu,
    eph: a.eph - b.eph,
    amd: a.amd - b.amd,
    neuron: a.neuron - b.neuron,
    core: a.core - b.core,
  };
}

export function addInto(a: Res, b: Readonly<Res>, times = 1): void {
  a.cpu += b.cpu * times;
  a.mem += b.mem * times;
  a.pods += b.pods * times;
  a.gpu += b.gpu * times;
  a.eph += b.eph * times;
  a.amd += b.amd * times;
  a.neuron += b.neuron * times;
  a.core += b.core * times;
}

/** Whether `r` fits within `free` in every dimension. */
export function fitsIn(r: Readonly<Res>, free: Readonly<Res>): boolean {
  return (
    r.cpu <= free.cpu &&
    r.mem <= free.mem &&
    r.pods <= free.pods &&
    r.gpu <= free.gpu &&
    r.eph <= free.eph &&
    r.amd <= free.amd &&
    r.neuron <= free.neuron &&
    r.core <= free.core
  );
}

/** Whether `used + extra` fits within `cap` in every dimension. */
export function fitsWith(cap: Readonly<Res>, used: Readonly<Res>, extra: Readonly<Res>): boolean {
  return (
    used.cpu + extra.cpu <= cap.cpu &&
    used.mem + extra.mem <= cap.mem &&
    used.pods + extra.pods <= cap.pods &&
    used.gpu + extra.gpu <= cap.gpu &&
    used.eph + extra.eph <= cap.eph &&
    used.amd + extra.amd <= cap.amd &&
    used.neuron + extra.neuron <= cap.neuron &&
    used.core + extra.core <= cap.core
  );
}

export function sameRes(a: Readonly<Res>, b: Readonly<Res>): boolean {
  return DIMS.every((d) => a[d] === b[d]);
}

/** A canonical key of a vector (equal vectors, equal keys). */
export function resKey(r: Readonly<Res>): string {
  return `${r.cpu}/${r.mem}/${r.pods}/${r.gpu}/${r.eph}/${r.amd}/${r.neuron}/${r.core}`;
}

/** The sum of request vectors (a claim's pods, a replacement's pods). */
export function sumOf(xs: Iterable<Readonly<Res>>): Res {
  const total: Res = { ...ZERO };
  for (const x of xs) addInto(total, x);
  return total;
}

export function fromAllocatable(a: Readonly<Resources>): Res {
  return {
    cpu: a.cpuMillis,
    mem: a.memoryMiB,
    pods: a.pods,
    gpu: a.nvidiaGpu,
    eph: a.ephemeralMiB,
    amd: a.amdGpu,
    neuron: a.neuron,
    core: a.neuronCore,
  };
}

/** One pod's requests as a vector (one pod slot). */
export function fromRequests(r: Readonly<PodRequests>): Res {
  return {
    cpu: r.cpuMillis,
    mem: r.memoryMiB,
    pods: 1,
    gpu: r.nvidiaGpu,
    eph: r.ephemeralMiB,
    amd: r.amdGpu,
    neuron: r.neuron,
    core: r.neuronCore,
  };
}

/** The inverse of fromRequests: a vector's requests (the pod slot dropped). */
export function toRequests(r: Readonly<Res>): PodRequests {
  return {
    cpuMillis: r.cpu,
    memoryMiB: r.mem,
    ephemeralMiB: r.eph,
    nvidiaGpu: r.gpu,
    amdGpu: r.amd,
    neuron: r.neuron,
    neuronCore: r.core,
  };
}

/** The accelerator dimensions under their Kubernetes resource names. */
export const ACCELERATOR_DIMS = [
  ['gpu', 'nvidia.com/gpu'],
  ['amd', 'amd.com/gpu'],
  ['neuron', 'aws.amazon.com/neuron'],
  ['core', 'aws.amazon.com/neuroncore'],
] as const;
