/**
 * The simulated cloud: in memory and deterministic (ids count up, time comes from the injected clock),
 * with injectable capacity errors. With a `register` hook it also creates the Node object each instance
 * would register as, like KWOK, so that the real scheduler can bind pods to it.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Catalog } from '../../catalog/catalog.js';
import { nodeObjectFor } from './node-object.js';
import {
  CloudError,
  InsufficientCapacityError,
  providerIdOf,
  type CloudProvider,
  type Instance,
  type LaunchRequest,
  type Launched,
  type Offering,
} from './provider.js';

export interface SimulatedOptions {
  readonly catalog: Catalog;
  readonly clock?: () => Date;
  /** Offerings with no capacity: an injected capacity error. */
  readonly shortOf?: (o: Offering) => boolean;
  /** How long a launch takes to answer now (ms; none when not given): a slow cloud. */
  readonly launchLatencyMs?: () => number;
  /** Called with the Node each launched instance registers as. */
  readonly register?: (node: V1Node) => Promise<void>;
  /** Called when an instance is terminated (e.g. to delete its Node). */
  readonly deregister?: (nodeName: string) => Promise<void>;
  /**
   * Instances other processes launched (in a cluster: the Nodes earlier leaders registered), so that a
   * new leader sees the same cloud as the last one.
   */
  readonly registered?: () => Promise<Instance[]>;
  /** Makes instance ids unique across processes (in a cluster, each replica's own). */
  readonly idPrefix?: string;
}

export class SimulatedCloud implements CloudProvider {
  readonly name = 'simulated' as const;
  private readonly instances = new Map<string, Instance>();
  private readonly byClaim = new Map<string, Launched>();
  /** Ids terminated here: an instance another process launched stays gone once terminated. */
  private readonly terminated = new Set<string>();
  private seq = 0;

  constructor(private readonly opts: SimulatedOptions) {}

  async create(req: LaunchRequest): Promise<Launched> {
    const same = this.byClaim.get(req.claim);
    if (same) return same; // idempotent, like CreateFleet's ClientToken
    const latency = this.opts.launchLatencyMs?.() ?? 0;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const tried: Offering[] = [];
    for (const instanceType of req.instanceTypes) {
      const type = this.opts.catalog.byName(instanceType);
      if (!type) continue;
      for (const zone of req.zones) {
        const o = { instanceType, zone, capacityType: req.capacityType };
        if (this.opts.shortOf?.(o)) {
          tried.push(o);
          continue;
        }
        this.seq += 1;
        const prefix = this.opts.idPrefix ?? '';
        const id = `i-sim${prefix}${String(this.seq).padStart(13 - prefix.length, '0')}`;
        const instance: Launched = {
          unavailable: tried,
          id,
          claim: req.claim,
          nodePool: req.nodePool,
          instanceType,
          zone,
          capacityType: req.capacityType,
          providerId: providerIdOf(zone, id),
          launchedAt: this.opts.clock?.() ?? new Date(0),
        };
        this.instances.set(id, instance);
        this.byClaim.set(req.claim, instance);
        await this.opts.register?.(nodeObjectFor(instance, req, type, this.opts.catalog.region));
        return instance;
      }
    }
    if (tried.length > 0)
      throw new InsufficientCapacityError(
        `no capacity for claim ${req.claim}`,
        tried,
        'InsufficientInstanceCapacity',
      );
    throw new CloudError(`claim ${req.claim}: none of its instance types is in the catalog`);
  }

  async delete(id: string): Promise<void> {
    const i = this.instances.get(id) ?? (await this.opts.registered?.())?.find((x) => x.id === id);
    if (!i || this.terminated.has(id)) return;
    this.terminated.add(id);
    this.instances.delete(id);
    this.byClaim.delete(i.claim);
    await this.opts.deregister?.(i.claim);
  }

  async list(): Promise<Instance[]> {
    const own = [...this.instances.values()];
    if (!this.opts.registered) return own;
    const ids = new Set(own.map((i) => i.id));
    return [
      ...own,
      ...(await this.opts.registered()).filter((i) => !ids.has(i.id) && !this.terminated.has(i.id)),
    ];
  }
}
