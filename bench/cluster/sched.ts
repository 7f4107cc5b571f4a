/**
 * What each process of the bench waited for a CPU (Linux's /proc/<pid>/task/<tid>/schedstat: time on
 * a CPU, time runnable on a run queue, in ns), by process and for the threads that serve admission:
 * Berth's gate thread (named berth-gate) and the no-op webhook's one thread. With the control plane,
 * kwok and the provisioner on two cores, a webhook's answer is late by what its thread waits to run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { procStat } from './observe.js';

/** Seconds on a CPU and seconds runnable but waiting for one. */
export interface Sched {
  cpu: number;
  wait: number;
}

/** One task's schedstat line, or undefined once it has gone (or where /proc has none). */
export function parseSchedstat(text: string): Sched | undefined {
  const [cpu, wait] = text.trim().split(/\s+/).map(Number);
  if (cpu === undefined || wait === undefined || Number.isNaN(cpu) || Number.isNaN(wait)) return undefined;
  return { cpu: cpu / 1e9, wait: wait / 1e9 };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const add = (a: Sched, b: Sched): Sched => ({ cpu: a.cpu + b.cpu, wait: a.wait + b.wait });

/**
 * A process's threads summed ("<name>"), and its threads by their own name ("<name>/<thread>"; the
 * process's first thread is "<name>/main"). Threads that ended before the read are not counted.
 */
export function processSched(pid: number, name: string, out: Map<string, Sched>): void {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${String(pid)}/task`);
  } catch {
    return;
  }
  for (const tid of tids) {
    const s = parseSchedstat(read(`/proc/${String(pid)}/task/${tid}/schedstat`) ?? '');
    if (!s) continue;
    out.set(name, add(out.get(name) ?? { cpu: 0, wait: 0 }, s));
    const comm = tid === String(pid) ? 'main' : read(`/proc/${String(pid)}/task/${tid}/comm`)?.trim();
    if (comm === undefined) continue;
    const key = `${name}/${comm}`;
    out.set(key, add(out.get(key) ?? { cpu: 0, wait: 0 }, s));
  }
}

/** Every process the bench started, by the names the CPU list uses. */
export function childSched(name: (pid: number, comm: string) => string): Map<string, Sched> {
  const out = new Map<string, Sched>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let s: ReturnType<typeof procStat>;
    try {
      s = procStat(pid);
    } catch {
      continue;
    }
    if (s.ppid === process.pid) processSched(Number(pid), name(Number(pid), s.comm), out);
  }
  return out;
}

/** What changed between two reads, each key's seconds. */
export function schedDelta(before: Map<string, Sched>, after: Map<string, Sched>): Map<string, Sched> {
  const out = new Map<string, Sched>();
  for (const [k, s] of after) {
    const b = before.get(k) ?? { cpu: 0, wait: 0 };
    out.set(k, { cpu: s.cpu - b.cpu, wait: s.wait - b.wait });
  }
  return out;
}

/** What `read` returns, once a second from start to stop, to be cut to a window afterwards. */
export class SchedTimeline {
  private readonly samples: { at: number; sched: Map<string, Sched> }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => Map<string, Sched>,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    this.samples.length = 0;
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
    }, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    this.samples.push({ at: Date.now(), sched: this.read() });
  }

  /** What each key did from the first sample to the last (start to stop), or nothing before a start. */
  span(): Map<string, Sched> {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    return first && last ? schedDelta(first.sched, last.sched) : new Map<string, Sched>();
  }

  /**
   * From the last sample at or before `from` to the first at or after `to` (ms since the epoch): the
   * window widened to whole samples, and what each key did in it. Undefined when the samples do not
   * cover the window.
   */
  within(from: number, to: number): { from: number; to: number; sched: Map<string, Sched> } | undefined {
    const first = this.samples.filter((s) => s.at <= from).at(-1);
    const last = this.samples.find((s) => s.at >= to);
    if (!first || !last) return undefined;
    return { from: first.at, to: last.at, sched: schedDelta(first.sched, last.sched) };
  }
}
