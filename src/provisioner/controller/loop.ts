/**
 * When the provisioner runs: a trigger (a pod waiting, a workload admitted or seen created) starts or
 * extends a burst, and the burst is planned as one round once it has been idle for
 * `idleMs` (or `maxMs` after it began, whatever keeps arriving); a periodic resync
 * catches what no event announces (claims that never joined, offerings available again). Rounds never
 * overlap. The round itself is Provisioner.reconcile; what it needs is passed in.
 */
import { poolPriceOfLabels, type PoolView } from '../../scheduling/nodepool.js';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';
import { reconcile } from '../../observability/controller-metrics.js';
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import { formatRef, refOf } from '../../kube/objects.js';
import type { RoundInput } from '../input/cluster-input.js';
import type { SolverInput, Unschedulable } from '../solver/model.js';
import { PlannerError } from '../worker/planner.js';
import { nodeCostsByPool } from '../solver/pools.js';
import type { Demand } from './demand.js';
import type { Provisioner, RoundResult } from './provisioner.js';

export interface LoopDeps {
  readonly provisioner: Provisioner;
  /** The round's input, or why there is none yet (caches not synced). */
  readonly input: () => RoundInput | string;
  /** Told when a round's demand was bounded: a workload capped, pods left for later rounds. */
  readonly onBounded?: (demand: Demand) => void;
  /** Told of the pods a round could place on no NodePool, with why (cluster mode: Events on their owners). */
  readonly onUnschedulable?: (pods: readonly Unschedulable[]) => void;
  /** Told of each round's result once it is reported (cluster mode: the scheduling gates it lets off). */
  readonly onRound?: (result: RoundResult) => void;
  /** provisioner.mode from the live policies: only `berth` buys capacity. */
  readonly mode: () => string;
  /** The live batching settings (policies.yaml provisioner.batchIdleSeconds / batchMaxSeconds). */
  readonly batching: () => { idleMs: number; maxMs: number };
  /** Milliseconds, for the burst's start (default Date.now). */
  readonly now?: () => number;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly resyncMs?: number;
}

export class ProvisionLoop {
  private timer: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private active = false;
  private lastMode: string | undefined;
  /** When the current burst began (undefined between bursts). */
  private burstStart: number | undefined;
  rounds = 0;

  constructor(private readonly d: LoopDeps) {}

  start(): void {
    this.active = true;
    this.trigger();
    this.resync = setInterval(() => {
      this.trigger();
    }, this.d.resyncMs ?? 10_000);
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.burstStart = undefined;
    clearInterval(this.resync);
  }

  /**
   * New demand (a workload admitted or created, a pod that is not a fed replica): plan once the burst
   * has been idle for idleMs, or maxMs after it began.
   */
  trigger(): void {
    this.schedule(true);
  }

  /**
   * A change that is not new demand (a fed replica's pod appearing, a waiting pod's status, a Node
   * joining or changing): a round if none is due, without pushing back one that is.
   */
  nudge(): void {
    this.schedule(false);
  }

  private schedule(extend: boolean): void {
    if (!this.active) return;
    this.d.metrics?.controllers.for('provisioner').queued();
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer && !extend) return;
    const now = (this.d.now ?? Date.now)();
    const { idleMs, maxMs } = this.d.batching();
    this.burstStart ??= now;
    const due = Math.min(now + idleMs, this.burstStart + maxMs);
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.burstStart = undefined;
        void this.run();
      },
      Math.max(0, due - now),
    );
  }

  private enabled(): boolean {
    const mode = this.d.mode();
    if (mode !== this.lastMode)
      this.d.logger.info(
        { mode },
        mode === 'berth' ? 'provisioner on' : `provisioner idle (provisioner.mode: ${mode})`,
      );
    this.lastMode = mode;
    return mode === 'berth';
  }

  private async run(): Promise<void> {
    if (!this.enabled()) return;
    this.running = true;
    try {
      await reconcile(this.d.metrics?.controllers, 'provisioner', () => this.round());
    } catch (e) {
      if (e instanceof PlannerError) this.d.metrics?.plannerFailures.inc({ reason: e.reason });
      this.d.logger.error({ err: String(e) }, 'provisioner round failed');
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    }
  }

  /** One round now, whatever the window; resolves with its result (undefined when there was no input). */
  async round(): Promise<RoundResult | undefined> {
    const input = this.d.input();
    if (typeof input === 'string') {
      this.d.logger.debug({ why: input }, 'provisioner waiting');
      return undefined;
    }
    const { solver, demand } = input;
    const planned = solver.pods.length + (solver.groups ?? []).reduce((n, g) => n + g.count, 0);
    this.d.metrics?.queueDepth.set(planned + demand.deferred);
    this.bounded(demand);
    const r = await this.d.provisioner.reconcile(solver);
    this.rounds += 1;
    this.report(planned, r, solver, input.returningKept ?? 0);
    this.d.onRound?.(r);
    return r;
  }

  private bounded(demand: Demand): void {
    this.d.metrics?.podsDeferred.set(demand.deferred);
    if (demand.capped.length > 0) this.d.metrics?.replicasCapped.inc(demand.capped.length);
    if (demand.capped.length === 0 && demand.deferred === 0) return;
    this.d.logger.warn(
      {
        capped: demand.capped.map((c) => ({
          workload: formatRef(refOf(c.workload)),
          asked: c.asked,
          planned: c.planned,
          why: c.why,
        })),
        deferred: demand.deferred,
      },
      'provisioner demand bounded',
    );
    this.d.onBounded?.(demand);
  }

  private report(pods: number, r: RoundResult, input: SolverInput, returningKept: number): void {
    const { plan } = r;
    const log = this.d.logger;
    for (const i of r.launched)
      log.info(
        {
          claim: i.claim,
          instanceId: i.id,
          instanceType: i.instanceType,
          zone: i.zone,
          nodePool: i.nodePool,
          pods: plan.nodes.find((n) => n.name === i.claim)?.pods.length,
          decidedAt: r.decidedAt.get(i.claim),
        },
        'launched',
      );
    for (const claim of r.joined) log.info({ claim }, 'node joined');
    for (const id of r.terminated) log.warn({ instanceId: id }, 'terminated (never joined)');
    if (plan.unschedulable.length > 0) this.d.onUnschedulable?.(plan.unschedulable);
    if (plan.unschedulable.length > 0)
      log.warn(
        { count: plan.unschedulable.length, first: plan.unschedulable.slice(0, 5) },
        'pods no NodePool can take',
      );
    this.d.metrics?.podsHeld.set(r.held);
    this.signals(r);
    if (pods > 0 || r.launched.length > 0 || r.held > 0)
      log.info(
        {
          pods,
          held: r.held,
          ...(r.givenBack > 0 ? { givenBack: r.givenBack } : {}),
          ...(returningKept > 0 ? { returningKept } : {}),
          launched: r.launched.length,
          unschedulable: plan.unschedulable.length,
          solveMillis: plan.totals.solveMillis,
        },
        'provisioner round',
      );
    this.gauges(input);
  }

  /** The round's scheduling time, launches that never joined, and the pods it could not place. */
  private signals(r: RoundResult): void {
    const m = this.d.metrics;
    if (!m) return;
    m.karpenter.schedulingDuration.observe({ controller: 'provisioner' }, r.plan.totals.solveMillis / 1000);
    for (const reason of r.notJoined) m.joinFailures.inc({ reason });
    m.unschedulablePods.reset();
    const counts = new Map<string, { namespace: string; reason: string; n: number }>();
    for (const u of r.plan.unschedulable) {
      const namespace = u.pod.split('/', 1)[0] ?? '';
      const reason = reasonClass(u.reason);
      const key = `${namespace}\u0000${reason}`;
      const c = counts.get(key) ?? { namespace, reason, n: 0 };
      c.n += 1;
      counts.set(key, c);
    }
    for (const c of counts.values())
      m.unschedulablePods.set({ namespace: c.namespace, reason: c.reason }, c.n);
  }

  /** Nodes of Berth's NodePools (joined or in flight) and their price, by NodePool. */
  private gauges(input: SolverInput): void {
    const m = this.d.metrics;
    if (!m) return;
    const byPool = tally(input.catalog, input.pools, [
      ...input.nodes,
      ...this.d.provisioner.inFlightNodes(input.catalog),
    ]);
    m.nodes.reset();
    m.cost.reset();
    m.nodeCost.reset();
    const nodeCostOf = nodeCostsByPool(this.d.provisioner.nodeCost(), input.pools);
    for (const [pool, t] of byPool) {
      m.nodes.set({ nodepool: pool }, t.nodes);
      m.cost.set({ nodepool: pool }, Math.round(t.cost * 1e4) / 1e4);
      const each = nodeCostOf(pool);
      if (each !== undefined) m.nodeCost.set({ nodepool: pool }, Math.round(t.nodes * each * 1e4) / 1e4);
    }
  }
}

function tally(
  catalog: Catalog,
  pools: readonly PoolView[],
  nodes: readonly { labels: Readonly<Record<string, string>> }[],
): Map<string, { nodes: number; cost: number }> {
  const out = new Map<string, { nodes: number; cost: number }>();
  for (const n of nodes) {
    const l = n.labels;
    const pool = l[LABEL.nodePool];
    if (pool === undefined) continue;
    const t = out.get(pool) ?? { nodes: 0, cost: 0 };
    t.nodes += 1;
    t.cost += poolPriceOfLabels(catalog, pools, l);
    out.set(pool, t);
  }
  return out;
}

/** A reason's class for a metric label: its words up to the first detail (`:` or `(`), at most 60 characters. */
export function reasonClass(reason: string): string {
  const head = reason.split(/[:(]/, 1)[0]?.trim() ?? '';
  return head.length > 60 ? `${head.slice(0, 57)}...` : head;
}
