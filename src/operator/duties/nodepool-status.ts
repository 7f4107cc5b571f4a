/**
 * Each NodePool's status from its NodeClaims (resources, nodes, conditions), written where it changed,
 * and a `LimitReached` Event on a NodePool when its claims reach a limit. Part of the nodeclaims duty.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { limitReached, poolStatus, poolUsage } from '../../provisioner/nodeclaim/pool-status.js';
import { classLaunchable, type PoolView } from '../../scheduling/nodepool.js';
import { canonicalJson } from '../../util/canonical.js';
import type { NodeClaimsWiring } from './nodeclaims.js';

export class NodePoolStatusWriter {
  private readonly written = new Map<string, string>();
  private readonly reached = new Map<string, string>();

  constructor(
    private readonly w: Pick<NodeClaimsWiring, 'claims' | 'view' | 'cloud' | 'custom' | 'events' | 'logger'>,
  ) {}

  /** A new leader writes every status again. */
  forget(): void {
    this.written.clear();
    this.reached.clear();
  }

  /** Each Berth NodePool's status from its claims, written when it changed. */
  async round(): Promise<void> {
    const usage = poolUsage(this.w.claims.list());
    for (const pool of this.w.view.nodePools) {
      if (pool.autoMode) continue;
      const cls = this.w.view.nodeClassOf(pool.pool);
      // The simulated cloud resolves no EC2NodeClass: its pools launch whatever their class says.
      const ready = this.w.cloud.name !== 'aws' || (cls !== undefined && classLaunchable(cls));
      const why = cls === undefined ? 'its EC2NodeClass does not exist' : 'its EC2NodeClass is not Ready';
      const status = poolStatus(usage.get(pool.name), {
        ready,
        reason: cls === undefined ? 'NodeClassNotFound' : 'NodeClassNotReady',
        message: why,
      });
      this.limits(pool, limitReached(pool, usage.get(pool.name)));
      const key = canonicalJson(status);
      if (this.written.get(pool.name) === key) continue;
      const now = new Date().toISOString();
      const body = {
        status: { ...status, conditions: status.conditions.map((c) => ({ ...c, lastTransitionTime: now })) },
      };
      try {
        await this.w.custom.patchClusterCustomObjectStatus(
          { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', name: pool.name, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        this.written.set(pool.name, key);
      } catch (e) {
        this.w.logger.warn({ nodePool: pool.name, err: String(e) }, 'NodePool status not written');
      }
    }
  }

  /** An Event on the NodePool when it reaches a limit (and the provisioner launches nothing more for it). */
  private limits(pool: PoolView, reached: string | undefined): void {
    const before = this.reached.get(pool.name);
    if (reached === before) return;
    if (reached === undefined) this.reached.delete(pool.name);
    else this.reached.set(pool.name, reached);
    if (reached === undefined) return;
    this.w.events.emit({
      involved: {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        namespace: '',
        name: pool.name,
        uid: (pool.pool.metadata as { uid?: string }).uid,
      },
      type: 'Warning',
      reason: 'LimitReached',
      message: `${reached}: no more nodes are launched for this NodePool until some are removed or spec.limits is raised`,
    });
  }
}
