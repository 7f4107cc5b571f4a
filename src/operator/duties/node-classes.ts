/**
 * The EC2NodeClass status controller inside `berth serve --cloud aws` (Lease holder only): a round on
 * every class change (debounced) and every minute, writing each class's resolution to its status.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type CustomObjectsApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { Resource } from '../../kube/informers.js';
import { reconcile, type ControllerMetrics } from '../../observability/controller-metrics.js';
import type { AwsStack } from '../../provisioner/cloud/aws-stack.js';
import { NodeClassStatusController } from '../../provisioner/controller/nodeclass-status.js';
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import type { LeaderDuty } from '../duty.js';

const ROUND_MS = 60_000;
const DEBOUNCE_MS = 500;

export interface NodeClassWiring {
  readonly aws: AwsStack;
  readonly classes: Resource<KubernetesObject>;
  readonly custom: CustomObjectsApi;
  readonly events: EventSink;
  readonly logger: Logger;
  /** Only in provisioner.mode: berth: beside Karpenter the classes and their status are Karpenter's. */
  readonly mode: () => 'berth' | 'karpenter' | 'off';
  readonly controllers?: ControllerMetrics;
}

export class ClusterNodeClasses implements LeaderDuty {
  readonly name = 'node-classes';
  private timer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly controller: NodeClassStatusController;

  constructor(private readonly w: NodeClassWiring) {
    this.controller = new NodeClassStatusController({
      list: () => w.classes.list() as unknown as EC2NodeClass[],
      // A change of the class (or the periodic round) resolves afresh: selectors' answers are cached apart.
      resolve: (cls) => w.aws.classes.resolve(cls, true),
      writeStatus: async (name, status) => {
        await w.custom.patchClusterCustomObjectStatus(
          { group: 'karpenter.k8s.aws', version: 'v1', plural: 'ec2nodeclasses', name, body: { status } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      },
      collect: () => w.aws.templates.collect(),
      events: w.events,
      logger: w.logger,
      clock: () => new Date(),
    });
  }

  private soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.w.mode() !== 'berth') return;
      this.running = this.running.then(() =>
        reconcile(this.w.controllers, 'nodeclass', () => this.controller.round()).catch((e: unknown) => {
          this.w.logger.error({ err: String(e) }, 'EC2NodeClass round failed');
        }),
      );
    }, DEBOUNCE_MS);
  }

  start(): void {
    if (this.interval) return;
    this.unwatch = this.w.classes.onChange(() => {
      this.soon();
    });
    this.interval = setInterval(() => {
      this.soon();
    }, ROUND_MS);
    this.soon();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
    clearTimeout(this.timer);
    clearInterval(this.interval);
    this.interval = undefined;
    await this.running;
  }
}
