/** Resource vectors: CPU millis, memory MiB, pod slots and GPUs, as the solver adds and compares them. */

export interface Res {
  cpu: number;
  mem: number;
  pods: number;
  gpu: number;
}

export const ZERO: Readonly<Res> = Object.freeze({ cpu: 0, mem: 0, pods: 0, gpu: 0 });

export function res(cpu: number, mem: number, pods = 1, gpu = 0): Res {
  return { cpu, mem, pods, gpu };
}

export function sub(a: Readonly<Res>, b: Readonly<Res>): Res {
  return { cpu: a.cpu - b.cpu, mem: a.mem - b.mem, pods: a.pods - b.pods, gpu: a.gpu - b.gpu };
}

export function addInto(a: Res, b: Readonly<Res>, times = 1): void {
  a.cpu += b.cpu * times;
  a.mem += b.mem * times;
  a.pods += b.pods * times;
  a.gpu += b.gpu * times;
}

/** Whether `used + extra` fits within `cap` in every dimension. */
export function fitsWith(cap: Readonly<Res>, used: Readonly<Res>, extra: Readonly<Res>): boolean {
  return (
    used.cpu + extra.cpu <= cap.cpu &&
    used.mem + extra.mem <= cap.mem &&
    used.pods + extra.pods <= cap.pods &&
    used.gpu + extra.gpu <= cap.gpu
  );
}

export function maxOf(a: Readonly<Res>, b: Readonly<Res>): Res {
  return {
    cpu: Math.max(a.cpu, b.cpu),
    mem: Math.max(a.mem, b.mem),
    pods: Math.max(a.pods, b.pods),
    gpu: Math.max(a.gpu, b.gpu),
  };
}

/** The sum of request vectors (a claim's pods, a replacement's pods). */
export function sumOf(xs: Iterable<Readonly<Res>>): Res {
  const total: Res = { ...ZERO };
  for (const x of xs) addInto(total, x);
  return total;
}

export function fromAllocatable(a: {
  cpuMillis: number;
  memoryMiB: number;
  pods: number;
  nvidiaGpu: number;
}): Res {
  return { cpu: a.cpuMillis, mem: a.memoryMiB, pods: a.pods, gpu: a.nvidiaGpu };
}
