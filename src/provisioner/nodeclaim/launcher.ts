/**
 * Launching a planned node as Karpenter does: the NodeClaim first, then the cloud call (the claim's
 * name is the idempotency token), then the claim's labels and status from the instance (Launched). A
 * launch the cloud refuses deletes its claim, with an Event on it that names the offerings tried. The
 * provisioner and disruption's replacements both launch through it, so every instance has its claim.
 * The provisioner's launches record later (`recordLater`): a round is over once its instances exist,
 * and their claims' labels and status follow, 16 writes at a time.
 */
import type { Catalog } from '../../catalog/catalog.js';
import type { EventSink } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import { karpenterDisrupted } from '../disruption/decision-metrics.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import {
  CloudError,
  InsufficientCapacityError,
  NodeClassNotReadyError,
  type CloudProvider,
  type Launched,
  type LaunchRequest,
} from '../cloud/provider.js';
import type { PlannedNode } from '../solver/model.js';
import { ZERO, type Res } from '../solver/resources.js';
import { withTransitions } from './conditions.js';
import { claimFor, launchedDetails, type NodeClaim } from './object.js';
import { discard, type ClaimStore } from './store.js';
import { Limiter } from '../../util/limited.js';

export interface ClaimLauncherDeps {
  readonly cloud: CloudProvider;
  readonly claims: ClaimStore;
  readonly catalog: () => Catalog;
  readonly pool: (name: string) => PoolView | undefined;
  readonly nodeClassOf: (pool: string) => string;
  readonly events?: EventSink;
  readonly clock: () => Date;
  readonly onError?: (message: string, cause: unknown) => void;
  /** Launch errors are counted (Karpenter's cloudprovider_errors_total, EC2 capacity by offering). */
  readonly metrics?: Metrics;
}

/** How many of the planned node's cheapest alternatives CreateFleet is offered besides its type. */
const ALTERNATIVES = 9;
/** Launch records (a claim's labels and status) written at once after their launches returned. */
const RECORDS_AT_ONCE = 16;

export const involvedClaim = (c: Pick<NodeClaim, 'metadata'>) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodeClaim',
  namespace: '',
  name: c.metadata.name,
  ...(c.metadata.uid !== undefined ? { uid: c.metadata.uid } : {}),
});

function refusal(e: unknown): { reason: string; message: string } {
  if (e instanceof InsufficientCapacityError) {
    const tried = e.offerings.map((o) => `${o.instanceType}/${o.zone}/${o.capacityType}`);
    return {
      reason: 'InsufficientCapacityError',
      message: `no capacity for any offering tried (${tried.join(', ')}): ${e.code}; the pods are planned again without them`,
    };
  }
  if (e instanceof NodeClassNotReadyError) return { reason: 'NodeClassNotReady', message: e.message };
  return { reason: 'LaunchFailed', message: String(e instanceof Error ? e.message : e).slice(0, 300) };
}

export class ClaimLauncher {
  private readonly under = new Set<string>();
  private readonly records = new Limiter(RECORDS_AT_ONCE);

  constructor(private readonly d: ClaimLauncherDeps) {}

  /** Whether this process is launching the claim now (its status is written when the call returns). */
  launching(name: string): boolean {
    return this.under.has(name);
  }

  /** The cloud's request for a planned node. */
  request(node: PlannedNode): LaunchRequest {
    return {
      claim: node.name,
      nodePool: node.nodePool,
      nodeClass: this.d.nodeClassOf(node.nodePool),
      capacityType: node.capacityType,
      instanceTypes: [node.instanceType, ...node.alternatives.slice(0, ALTERNATIVES)],
      zones: [node.zone],
      labels: node.labels,
      taints: node.taints,
    };
  }

  /**
   * Creates the claim, launches it, and records the instance on it; a refusal deletes the claim.
   * `reason` is Karpenter's for the claim: `provisioned`, or the disruption reason of a replacement.
   * With `recordLater` the launch returns once the instance exists, and the record follows (the
   * claim counts as launching until it is written: the lifecycle leaves it alone meanwhile). A round
   * of 174 launches on kwok took 12.7 s with the two record writes in each, while its first Nodes
   * had joined after 6 s and no round could let their pods through.
   */
  async launch(
    node: PlannedNode,
    requests: Readonly<Res>,
    reason = 'provisioned',
    o: { recordLater?: boolean } = {},
  ): Promise<Launched> {
    const pool = this.d.pool(node.nodePool);
    if (!pool) throw new CloudError(`NodePool ${node.nodePool} of claim ${node.name} is gone`);
    // The claim's instance-type requirement lists exactly the types CreateFleet is offered.
    const offered = { ...node, alternatives: node.alternatives.slice(0, ALTERNATIVES) };
    const claim = claimFor(offered, pool, requests);
    this.under.add(node.name);
    let later = false;
    try {
      await this.d.claims.create(claim);
      this.d.metrics?.karpenter.nodeClaimsCreated.inc({
        reason,
        nodepool: node.nodePool,
        min_values_relaxed: 'false',
      });
      let instance: Launched;
      try {
        instance = await this.d.cloud.create(this.request(offered));
      } catch (e) {
        await this.refused(claim, e);
        throw e;
      }
      if (o.recordLater !== true) await this.record(node.name, instance);
      else {
        later = true;
        void this.records.run(async () => {
          try {
            await this.record(node.name, instance);
          } catch (e) {
            this.d.onError?.(`recording the launch of NodeClaim ${node.name}`, e);
          } finally {
            this.under.delete(node.name);
          }
        });
      }
      return instance;
    } finally {
      if (!later) this.under.delete(node.name);
    }
  }

  /** Resolves once every record a launch left for later is written (or given up: record() says so). */
  recorded(): Promise<void> {
    return this.records.idle();
  }

  /**
   * Gives an instance that predates NodeClaims the claim it would have had (its NodePool's, narrowed to
   * its type, zone and capacity type), recorded as launched; false when its NodePool is gone.
   */
  async adopt(instance: Omit<Launched, 'unavailable'>): Promise<boolean> {
    const pool = this.d.pool(instance.nodePool);
    if (!pool) return false;
    const node = {
      name: instance.claim,
      nodePool: instance.nodePool,
      instanceType: instance.instanceType,
      zone: instance.zone,
      capacityType: instance.capacityType,
      pricePerHour: 0,
      existing: true,
      pods: [],
      labels: pool.labels,
      taints: pool.taints,
      alternatives: [],
    };
    await this.d.claims.create(claimFor(node, pool, ZERO));
    await this.record(instance.claim, instance);
    return true;
  }

  private countError(e: unknown): void {
    const m = this.d.metrics;
    if (!m) return;
    const error = e instanceof InsufficientCapacityError || e instanceof NodeClassNotReadyError ? e.name : '';
    m.karpenter.cloudErrors.inc({
      controller: 'nodeclaim.lifecycle',
      method: 'Create',
      provider: this.d.cloud.name,
      error,
    });
    if (e instanceof InsufficientCapacityError)
      for (const o of e.offerings)
        m.insufficientCapacity.inc({
          instance_type: o.instanceType,
          zone: o.zone,
          capacity_type: o.capacityType,
        });
  }

  /** Writes the instance's labels, providerID, capacity and Launched=True on the claim. */
  async record(name: string, instance: Launched | Omit<Launched, 'unavailable'>): Promise<void> {
    const type = this.d.catalog().byName(instance.instanceType);
    const { labels, status } = launchedDetails(instance, type);
    const before = this.d.claims.get(name)?.status?.conditions;
    const launched = {
      type: 'Launched',
      status: 'True' as const,
      reason: 'Launched',
      message: `${instance.instanceType} in ${instance.zone} (${instance.capacityType}), ${instance.id}`,
    };
    const others = (before ?? []).filter((c) => c.type !== 'Launched');
    const conditions = [...others, ...withTransitions(before, [launched], this.d.clock())];
    try {
      await this.d.claims.update(name, { labels, status: { ...status, conditions } });
    } catch (e) {
      // The instance runs: the lifecycle finds it by its claim tag and records it on a later round.
      this.d.onError?.(`recording the launch of NodeClaim ${name}`, e);
    }
  }

  private async refused(claim: NodeClaim, e: unknown): Promise<void> {
    const r = refusal(e);
    this.countError(e);
    const stored = this.d.claims.get(claim.metadata.name) ?? claim;
    this.d.events?.emit({
      involved: involvedClaim(stored),
      type: 'Warning',
      reason: r.reason,
      message: `NodeClaim ${claim.metadata.name} event: ${r.message}`,
    });
    try {
      await discard(this.d.claims, claim.metadata.name);
      // Karpenter's launch controller counts the claim it deletes for want of capacity.
      if (e instanceof InsufficientCapacityError && this.d.metrics)
        karpenterDisrupted(this.d.metrics, 'insufficient_capacity', [claim]);
    } catch (err) {
      this.d.onError?.(`deleting NodeClaim ${claim.metadata.name} after a refused launch`, err);
    }
  }
}
