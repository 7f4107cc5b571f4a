/**
 * When the provisioner runs: a trigger (a pod waiting, a workload admitted, a node joining) opens a
 * batching window, and the burst that arrives within it is planned as one round; a periodic resync
 * catches what no event announces (claims that never joined, offerings available again). Rounds never
 * overlap. The round itself is Provisioner.reconcile; what it needs is passed in.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';
import type { Catalog } from '../catalog/catalog.js';
import { LABEL } from '../catalog/instance-type.js';
import { formatRef, refOf } from '../../kube/objects.js';
import type { RoundInput } from '../input/cluster-input.js';
import type { SolverInput } from '../solver/model.js';
import { PlannerError } from '../worker/planner.js';
import type { Demand } from './demand.js';
import type { Provisioner, RoundResult } from './provisioner.js';

export interface LoopDeps {
  readonly provisioner: Provisioner;
  /** The round's input, or why there is none yet (caches not synced). */
  readonly input: () => RoundInput | string;
  /** Told when a round's demand was bounded: a workload capped, pods left for later rounds. */
  readonly onBounded?: (demand: Demand) => void;
  /** provisioner.mode from the live policies: only `berth` buys capacity. */
  readonly mode: () => string;
  readonly windowMs: () => number;
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
    clearInterval(this.resync);
  }

  /** Something changed: plan when the batching window closes (one window per burst). */
  trigger(): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.d.windowMs());
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
      await this.round();
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
    this.report(planned, r, solver);
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

  private report(pods: number, r: RoundResult, input: SolverInput): void {
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
        },
        'launched',
      );
    for (const claim of r.joined) log.info({ claim }, 'node joined');
    for (const id of r.terminated) log.warn({ instanceId: id }, 'terminated (never joined)');
    if (plan.unschedulable.length > 0)
      log.warn(
        { count: plan.unschedulable.length, first: plan.unschedulable.slice(0, 5) },
        'pods no NodePool can take',
      );
    if (pods > 0 || r.launched.length > 0)
      log.info(
        {
          pods,
          launched: r.launched.length,
          unschedulable: plan.unschedulable.length,
          solveMillis: plan.totals.solveMillis,
        },
        'provisioner round',
      );
    this.gauges(input);
  }

  /** Nodes of Berth's NodePools (joined or in flight) and their price, by NodePool. */
  private gauges(input: SolverInput): void {
    const m = this.d.metrics;
    if (!m) return;
    const byPool = tally(input.catalog, [...input.nodes, ...this.d.provisioner.inFlightNodes(input.catalog)]);
    m.nodes.reset();
    m.cost.reset();
    for (const [pool, t] of byPool) {
      m.nodes.set({ nodepool: pool }, t.nodes);
      m.cost.set({ nodepool: pool }, Math.round(t.cost * 1e4) / 1e4);
    }
  }
}

function tally(
  catalog: Catalog,
  nodes: readonly { labels: Readonly<Record<string, string>> }[],
): Map<string, { nodes: number; cost: number }> {
  const out = new Map<string, { nodes: number; cost: number }>();
  for (const n of nodes) {
    const l = n.labels;
    const pool = l[LABEL.nodePool];
    if (pool === undefined) continue;
    const type = catalog.byName(l[LABEL.instanceType] ?? '');
    const price = type ? catalog.price(type, l[LABEL.zone] ?? '', l[LABEL.capacityType] ?? '') : null;
    const t = out.get(pool) ?? { nodes: 0, cost: 0 };
    t.nodes += 1;
    t.cost += price ?? 0;
    out.set(pool, t);
  }
  return out;
}
