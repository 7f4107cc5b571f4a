/**
 * The `ideal` side of `npm run bench:cluster`: a provisioner that costs nothing and is never wrong.
 * The Nodes of Berth's offline plan for the first scale-out (as the ready side makes them: each of the
 * largest type the plan uses) are created `delay` seconds after the apply, the registration delay
 * both real sides wait, as if they had been bought at the apply's instant. No webhook, no decision, no
 * controller CPU. With `gated`, the pods are created behind a scheduling gate of the harness's (in
 * their Deployment's template) and the side lets each through as soon as the Nodes are there, 64
 * patches at a time: Berth's mechanics without Berth. Without it, kube-scheduler finds no node for the
 * pods until the Nodes come, as on Karpenter's side. Either is a floor for a provisioner on this
 * control plane and machine that the ready side (Nodes there before the apply) is not.
 */
import { CoreV1Api, KubeConfig, Watch, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Catalog } from '../../src/catalog/catalog.js';
import { heldBy } from '../../src/kube/pod-gates.js';
import type { Plan } from '../../src/provisioner/solver/model.js';
import { eachLimited } from '../../src/util/limited.js';
import type { ControlPlane } from '../../test/e2e/control-plane.js';
import { NAMESPACE } from '../../test/support/perf-workloads.js';
import { readyNodes } from './ready.js';
import type { Side } from './sides.js';

/** The harness's own gate (gated ideal side): in the Deployments' template, lifted by the side. */
export const IDEAL_GATE = 'bench.berth.dev/ideal';
/** Node creations and gate lifts in flight at once (Berth's launch concurrency). */
const CONCURRENCY = 64;

export interface IdealOptions {
  /** The registration delay, seconds. */
  delay: number;
  gated: boolean;
  log: (s: string) => void;
}

/** A Deployment whose pods are created behind `gate` (unchanged without one). */
export function withGate<T extends { spec: { template: { spec: object } } }>(
  d: T,
  gate: string | undefined,
): T {
  if (gate === undefined) return d;
  const spec = { ...d.spec.template.spec, schedulingGates: [{ name: gate }] };
  return { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec } } };
}

/** Lifts the harness's gate from every pod that carries it, from `open()` on, each once. */
class Lifter {
  private readonly gated = new Set<string>();
  private readonly lifting = new Set<string>();
  private open = false;
  private stopped = false;
  private abort: (() => void) | undefined;
  lifted = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly core: CoreV1Api,
  ) {}

  /**
   * Watches the namespace's pods. A watch the API server ends (a slow reader in a busy scale-out) is
   * opened again without a version: it starts with every pod there, so none is missed, and the gated
   * set is rebuilt from them (a pod deleted in between is not lifted in vain).
   */
  async start(): Promise<void> {
    if (this.stopped) return;
    this.gated.clear();
    const restart = () => {
      if (!this.stopped) setTimeout(() => void this.start(), 200);
    };
    const req = await new Watch(this.kc).watch(
      `/api/v1/namespaces/${NAMESPACE}/pods`,
      {},
      (type, o: V1Pod) => {
        const name = o.metadata?.name ?? '';
        if (type !== 'DELETED' && heldBy(o, IDEAL_GATE)) this.gated.add(name);
        else this.gated.delete(name);
        if (this.open) void this.lift();
      },
      restart,
    );
    this.abort = () => {
      req.abort();
    };
  }

  openGates(): void {
    this.open = true;
    void this.lift();
  }

  private async lift(): Promise<void> {
    const names = [...this.gated].filter((n) => !this.lifting.has(n));
    for (const n of names) this.lifting.add(n);
    await eachLimited(
      names,
      CONCURRENCY,
      () => true,
      async (name) => {
        const body = [{ op: 'remove', path: '/spec/schedulingGates' }];
        await this.core.patchNamespacedPod({ name, namespace: NAMESPACE, body }).then(
          () => {
            this.lifted += 1;
          },
          () => this.lifting.delete(name),
        );
      },
    );
  }

  stop(): void {
    this.stopped = true;
    this.abort?.();
  }
}

export async function startIdealSide(
  cp: ControlPlane,
  plan: Plan,
  catalog: Catalog,
  o: IdealOptions,
): Promise<Side> {
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const nodes: V1Node[] = readyNodes(plan, catalog);
  const lifter = o.gated ? new Lifter(kc, core) : undefined;
  await lifter?.start();
  let timer: NodeJS.Timeout | undefined;
  let applied = false;
  const join = async (): Promise<void> => {
    const t0 = Date.now();
    await eachLimited(
      nodes,
      CONCURRENCY,
      () => true,
      async (body) => {
        await core.createNode({ body });
      },
    );
    o.log(`ideal side: ${nodes.length} Nodes created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  return {
    name: o.gated ? 'ideal-gated' : 'ideal',
    pid: undefined,
    pool: {},
    gate: o.gated ? IDEAL_GATE : undefined,
    applied: (start) => {
      // Only the first scale-out: its Nodes are the plan's; later steps have no provisioner.
      if (applied) return;
      applied = true;
      // The gates open once every Node is there: lifted earlier, pods would find too few nodes.
      timer = setTimeout(
        () => {
          join().then(
            () => lifter?.openGates(),
            (e: unknown) => {
              o.log(`ideal side: creating the Nodes failed: ${String(e)}`);
            },
          );
        },
        Math.max(0, start + o.delay * 1000 - Date.now()),
      );
    },
    stop: () => {
      clearTimeout(timer);
      lifter?.stop();
      if (lifter) o.log(`ideal side: ${lifter.lifted} gates lifted`);
      return Promise.resolve();
    },
  };
}
