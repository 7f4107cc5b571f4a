/** --local: the simulated cloud's nodes in memory; workloads admitted stay planned (nothing binds). */
import type { V1Node } from '@kubernetes/client-node';
import type { Decision } from '../../admission/admit.js';
import type { AdmissionRequest } from '../../admission/review.js';
import { AdmittedQueue } from '../../provisioner/controller/admitted.js';
import { AdmissionFeed } from '../../provisioner/controller/demand.js';
import type { ProvisionLoop } from '../../provisioner/controller/loop.js';
import { clusterInput } from '../../provisioner/input/cluster-input.js';
import {
  admittedObject,
  boundsOf,
  loopOf,
  newProvisioner,
  type ProvisioningDeps,
} from './provisioning-wiring.js';

export class LocalProvisioning {
  private readonly feed = new AdmissionFeed(Number.POSITIVE_INFINITY);
  readonly loop: ProvisionLoop;
  private readonly queue: AdmittedQueue;

  constructor(
    private readonly d: ProvisioningDeps,
    nodes: () => readonly V1Node[],
  ) {
    const bounds = boundsOf(d, () => d.view.nodePools);
    this.queue = new AdmittedQueue({
      feed: this.feed,
      trigger: () => {
        this.loop.trigger();
      },
      now: () => Date.now(),
    });
    this.loop = loopOf(d, newProvisioner(d), () =>
      clusterInput({
        pods: [],
        nodes: nodes(),
        daemonSets: [],
        pools: d.view.nodePools,
        catalog: d.catalog(),
        fed: this.feed.current(Date.now()),
        bounds,
      }),
    );
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.d.planner.close();
  }

  admitted(webhook: string, req: AdmissionRequest, decision: Decision): void {
    const obj = admittedObject(webhook, req, decision, this.d.view);
    if (!obj) return;
    this.queue.add(obj);
  }
}
