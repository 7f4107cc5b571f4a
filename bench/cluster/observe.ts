/**
 * What `npm run bench:cluster` sees of a cluster while a workload runs: the pods of the bench's
 * namespace and every Node through watches (first seen, first Running, gone; a node's labels and
 * whether it is being disrupted), the PDBs sampled each second (a sample where one has fewer healthy
 * pods than it requires is a violation), and the controller process's CPU time and RSS from /proc.
 */
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, PolicyV1Api, Watch } from '@kubernetes/client-node';
import { SCHEDULING_GATE } from '../../src/admission/gate.js';
import { NAMESPACE } from '../../test/support/perf-workloads.js';

export interface PodRecord {
  seen: number;
  running?: number;
  gone?: number;
  node?: string;
  doNotDisrupt?: boolean;
  /** Held by Berth's scheduling gate: since its creation, and when the gate was lifted. */
  gated?: { since: number; lifted?: number };
}

export interface NodeRecord {
  seen: number;
  gone?: number;
  labels: Record<string, string>;
  /** Tainted karpenter.sh/disrupted or deleting: on its way out. */
  leaving: boolean;
  providerId?: string;
  /** When it was first seen with a deletionTimestamp (its finalizers not yet released). */
  deleting?: number;
}

interface Meta {
  metadata?: {
    uid?: string;
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: unknown;
  };
}
type PodObject = Meta & {
  spec?: { nodeName?: string; schedulingGates?: { name?: string }[] };
  status?: { phase?: string };
};
type NodeObject = Meta & { spec?: { taints?: { key?: string }[]; providerID?: string } };

/** A typed model as the JSON the watch sends (Dates as strings, no undefined-valued keys). */
function plain(o: unknown): unknown {
  return JSON.parse(JSON.stringify(o));
}

export class ClusterObserver {
  readonly pods = new Map<string, PodRecord>();
  readonly nodes = new Map<string, NodeRecord>();
  /** When a node last appeared, went, or started leaving. */
  lastNodeChange = Date.now();
  pdbViolations = 0;
  /** Each sample counted in pdbViolations: when, which PDB, its healthy and desired healthy pods. */
  readonly pdbBelow: { at: number; pdb: string; healthy: number; desired: number }[] = [];
  /** Each PDB's healthy pods at the last sample. */
  private readonly healthy = new Map<string, number>();
  /** Each PDB's desiredHealthy as last sampled. */
  private readonly desired = new Map<string, number>();
  private readonly aborts: (() => void)[] = [];
  private stopped = false;
  private pdbCounting = false;

  constructor(private readonly kc: KubeConfig) {}

  async start(): Promise<void> {
    const core = this.kc.makeApiClient(CoreV1Api);
    await this.watch(
      `/api/v1/namespaces/${NAMESPACE}/pods`,
      async () => {
        const list = await core.listNamespacedPod({ namespace: NAMESPACE });
        const items = list.items.map((p) => plain(p) as PodObject);
        for (const p of items) this.pod('ADDED', p);
        const present = new Set(items.map((p) => p.metadata?.uid));
        for (const [uid, r] of this.pods) if (!present.has(uid)) r.gone ??= Date.now();
        return list.metadata?.resourceVersion;
      },
      (type, o) => {
        this.pod(type, o as PodObject);
      },
    );
    await this.watch(
      '/api/v1/nodes',
      async () => {
        const list = await core.listNode();
        const items = list.items.map((n) => plain(n) as NodeObject);
        for (const n of items) this.node('ADDED', n);
        const present = new Set(items.map((n) => n.metadata?.name));
        for (const [name, r] of this.nodes)
          if (!present.has(name) && r.gone === undefined) {
            r.gone = this.lastNodeChange = Date.now();
          }
        return list.metadata?.resourceVersion;
      },
      (type, o) => {
        this.node(type, o as NodeObject);
      },
    );
    const policy = this.kc.makeApiClient(PolicyV1Api);
    const t = setInterval(() => {
      if (!this.pdbCounting) return;
      policy.listNamespacedPodDisruptionBudget({ namespace: NAMESPACE }).then(
        (list) => {
          for (const p of list.items) {
            const name = p.metadata?.name ?? '';
            const healthy = p.status?.currentHealthy ?? 0;
            const before = this.healthy.get(name) ?? healthy;
            this.healthy.set(name, healthy);
            // Below its minimum by losing healthy pods: a Deployment scaled up under its PDB is below
            // its minimum too until the new pods are Ready (self anti-affinity's scale-in step scales
            // one app up), which no eviction caused.
            // And by the minimum it had before: a scale-up raises it in the sample where a pod evicted
            // within the old one is still starting (churn's first high: 198 healthy of 240, 160 before).
            const now = p.status?.desiredHealthy ?? 0;
            const desired = Math.min(now, this.desired.get(name) ?? now);
            this.desired.set(name, now);
            if (healthy < desired && healthy < before) {
              this.pdbViolations += 1;
              this.pdbBelow.push({ at: Date.now(), pdb: name, healthy, desired });
            }
          }
        },
        () => undefined,
      );
    }, 1000);
    this.aborts.push(() => clearInterval(t));
  }

  /** Count PDB samples below their minimum from now on (disruption steps), or stop counting. */
  countPdbViolations(on: boolean): void {
    this.pdbCounting = on;
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a();
  }

  /** Pods of the namespace that exist (not deleting). */
  live(): PodRecord[] {
    return [...this.pods.values()].filter((p) => p.gone === undefined);
  }

  allRunning(expected: number): boolean {
    const live = this.live();
    return live.length === expected && live.every((p) => p.running !== undefined);
  }

  liveNodes(): [string, NodeRecord][] {
    return [...this.nodes.entries()].filter(([, n]) => n.gone === undefined);
  }

  private watch(
    path: string,
    relist: () => Promise<string | undefined>,
    on: (type: string, obj: unknown) => void,
  ): Promise<void> {
    return listAndWatch(this.kc, path, relist, on, { stopped: () => this.stopped, aborts: this.aborts });
  }

  private pod(type: string, o: PodObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const now = Date.now();
    let r = this.pods.get(uid);
    if (!r) this.pods.set(uid, (r = { seen: now }));
    if (o.spec?.nodeName) r.node = o.spec.nodeName;
    if (o.metadata?.annotations?.['karpenter.sh/do-not-disrupt'] === 'true') r.doNotDisrupt = true;
    if (r.running === undefined && o.status?.phase === 'Running') r.running = now;
    const gated = (o.spec?.schedulingGates ?? []).some((g) => g.name === SCHEDULING_GATE);
    if (gated) r.gated ??= { since: r.seen };
    else if (r.gated && r.gated.lifted === undefined) r.gated.lifted = now;
    if ((type === 'DELETED' || o.metadata?.deletionTimestamp) && r.gone === undefined) r.gone = now;
  }

  private node(type: string, o: NodeObject): void {
    const name = o.metadata?.name;
    if (!name) return;
    const now = Date.now();
    let r = this.nodes.get(name);
    if (!r) {
      this.nodes.set(name, (r = { seen: now, labels: {}, leaving: false }));
      this.lastNodeChange = now;
    }
    r.labels = o.metadata?.labels ?? r.labels;
    if (o.spec?.providerID !== undefined) r.providerId = o.spec.providerID;
    if (o.metadata?.deletionTimestamp !== undefined) r.deleting ??= now;
    const leaving =
      o.metadata?.deletionTimestamp !== undefined ||
      (o.spec?.taints ?? []).some((t) => t.key === 'karpenter.sh/disrupted');
    if (leaving !== r.leaving) this.lastNodeChange = now;
    r.leaving = leaving;
    if (type === 'DELETED' && r.gone === undefined) {
      r.gone = now;
      this.lastNodeChange = now;
    }
  }
}

/**
 * Lists, then watches from the list's version. The API server ends a watch it finds slow to read
 * (a busy scale-out, a restart); each restart lists again, so what went meanwhile (a node deleted, a
 * pod evicted) is seen gone rather than kept forever, which held a step open to its timeout.
 */
export async function listAndWatch(
  kc: KubeConfig,
  path: string,
  relist: () => Promise<string | undefined>,
  on: (type: string, obj: unknown) => void,
  life: { stopped: () => boolean; aborts: (() => void)[] },
): Promise<void> {
  const restart = () => {
    if (!life.stopped()) setTimeout(() => void listAndWatch(kc, path, relist, on, life).catch(restart), 500);
  };
  const resourceVersion = await relist();
  const req = await new Watch(kc).watch(path, { resourceVersion }, on, restart);
  life.aborts.push(() => req.abort());
}

/** CPU seconds and RSS of a process, sampled each second. */
/**
 * /proc/<pid>/stat: the command name, the parent's pid, and CPU seconds so far (fields 14 and 15,
 * utime and stime, in clock ticks: 100 a second on Linux). Throws when the process is gone.
 */
export function procStat(pid: number | string): { comm: string; ppid: number; cpuSeconds: number } {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
  };
}

export class ProcessSampler {
  private readonly rss: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startCpu = 0;
  private startAt = 0;

  /** No pid: no controller to sample (the ready side). */
  constructor(private readonly pid: number | undefined) {}

  static cpuSeconds(pid: number): number {
    return procStat(pid).cpuSeconds;
  }

  static rssMb(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  }

  start(): void {
    this.rss.length = 0;
    this.startAt = Date.now();
    const pid = this.pid;
    if (pid === undefined) return;
    this.startCpu = ProcessSampler.cpuSeconds(pid);
    this.timer = setInterval(() => {
      try {
        this.rss.push(ProcessSampler.rssMb(pid));
      } catch {
        // the process has exited; the step reports what was sampled
      }
    }, 1000);
  }

  /** CPU seconds, average cores and P95 RSS (MB) since start; NaN each with no process to sample. */
  stop(): { cpuSeconds: number; avgCores: number; p95RssMb: number } {
    clearInterval(this.timer);
    if (this.pid === undefined) return { cpuSeconds: NaN, avgCores: NaN, p95RssMb: NaN };
    let cpu = this.startCpu;
    try {
      cpu = ProcessSampler.cpuSeconds(this.pid);
    } catch {
      // exited
    }
    const seconds = Math.max(0.001, (Date.now() - this.startAt) / 1000);
    const sorted = [...this.rss].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    return { cpuSeconds: cpu - this.startCpu, avgCores: (cpu - this.startCpu) / seconds, p95RssMb: p95 };
  }
}

/** The controller's requests in the API server's audit log: all, evictions admitted, evictions refused (429), pod deletes. */
export function auditCounts(file: string): {
  requests: number;
  evictions: number;
  refused: number;
  podDeletes: number;
} {
  let requests = 0;
  let evictions = 0;
  let refused = 0;
  let podDeletes = 0;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { requests, evictions, refused, podDeletes };
  }
  for (const line of text.split('\n')) {
    // The log also holds every Pod creation and Binding, whoever made it (podCreates).
    if (!line.includes('"username":"controller"')) continue;
    requests += 1;
    if (!line.includes('"resource":"pods"')) continue;
    const e = JSON.parse(line) as {
      verb?: string;
      objectRef?: { subresource?: string };
      responseStatus?: { code?: number };
    };
    if (e.objectRef?.subresource === 'eviction' && e.verb === 'create') {
      if (e.responseStatus?.code === 201) evictions += 1;
      else if (e.responseStatus?.code === 429) refused += 1;
    } else if (e.verb === 'delete' && e.objectRef?.subresource === undefined) podDeletes += 1;
  }
  return { requests, evictions, refused, podDeletes };
}

/**
 * Creates of pods in the audit log's window, as the API server timed them: of the pods themselves, or
 * of their Bindings (kube-scheduler placing a pod is a create of its `binding` subresource).
 */
export interface PodCreates {
  count: number;
  /** When the last one completed (ms since the epoch), or undefined when none did. */
  lastAt: number | undefined;
  /** When each completed (ms since the epoch), in the log's order. */
  at: number[];
  /** Seconds each took in the API server, from receipt to response. */
  seconds: number[];
  /** Over the creations that took over 500 ms (the API server breaks those down): seconds per layer, summed. */
  slow: { count: number; layers: Map<string, number> };
}

const seconds = (d: string): number => {
  // Go's time.Duration strings: "1.2s", "850ms", "12.5µs", "1m2.5s".
  let total = 0;
  for (const [, n, unit] of d.matchAll(/([\d.]+)(h|m(?!s)|s|ms|µs|us|ns)/g)) {
    const v = Number(n);
    total += v * ({ h: 3600, m: 60, s: 1, ms: 1e-3, µs: 1e-6, us: 1e-6, ns: 1e-9 }[unit ?? 's'] ?? 0);
  }
  return total;
};

const noCreates = (): PodCreates => ({
  count: 0,
  lastAt: undefined,
  at: [],
  seconds: [],
  slow: { count: 0, layers: new Map() },
});

/**
 * The successful creates of the bench's pods completed between `from` and `to` (ms since the epoch):
 * of the pods, and of their Bindings; one read of the log for both.
 */
export function podCreates(
  file: string,
  from: number,
  to: number,
): { pods: PodCreates; bindings: PodCreates } {
  const out = { pods: noCreates(), bindings: noCreates() };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"verb":"create"') || !line.includes('"resource":"pods"')) continue;
    if (!line.includes(`"namespace":"${NAMESPACE}"`)) continue;
    const e = JSON.parse(line) as {
      objectRef?: { subresource?: string };
      responseStatus?: { code?: number };
      requestReceivedTimestamp?: string;
      stageTimestamp?: string;
      annotations?: Record<string, string>;
    };
    const sub = e.objectRef?.subresource;
    const into = sub === undefined ? out.pods : sub === 'binding' ? out.bindings : undefined;
    if (into === undefined || e.responseStatus?.code !== 201) continue;
    const done = Date.parse(e.stageTimestamp ?? '');
    const received = Date.parse(e.requestReceivedTimestamp ?? '');
    if (!(done >= from && done <= to)) continue;
    into.count += 1;
    into.lastAt = Math.max(into.lastAt ?? done, done);
    into.at.push(done);
    // Date.parse keeps milliseconds; the timestamps carry microseconds.
    into.seconds.push(Math.max(0, done - received) / 1000);
    const layers = Object.entries(e.annotations ?? {}).filter(([k]) =>
      k.startsWith('apiserver.latency.k8s.io/'),
    );
    if (layers.length === 0) continue;
    into.slow.count += 1;
    for (const [k, v] of layers) {
      const name = k.slice('apiserver.latency.k8s.io/'.length);
      into.slow.layers.set(name, (into.slow.layers.get(name) ?? 0) + seconds(v));
    }
  }
  return out;
}
