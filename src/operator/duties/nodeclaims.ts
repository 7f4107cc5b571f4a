/**
 * The NodeClaims duty (Lease holder, `provisioner.mode: berth`): every few seconds, and soon after a
 * claim or Node changes, one lifecycle round (status, adoption, deletion through the finalizer, garbage
 * collection; ../../provisioner/nodeclaim/lifecycle.ts) and the NodePools' status
 * (nodepool-status.ts). In mode `karpenter` or `off` it writes nothing.
 */
import type { CustomObjectsApi, KubernetesObjectApi, V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { InformerClusterView } from '../../kube/cluster-view.js';
import type { EventSink } from '../../kube/events.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { ApiClaimStore } from '../../kube/nodeclaims.js';
import { addNodeFinalizer, deleteNode, releaseNodeFinalizer } from '../../kube/node-writes.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcile } from '../../observability/controller-metrics.js';
import type { CloudProvider, Instance } from '../../provisioner/cloud/provider.js';
import { TtlCache } from '../../provisioner/cloud/ttl-cache.js';
import { DISRUPTION_ANNOTATION, DRAINING, SINCE_ANNOTATION } from '../../provisioner/disruption/marks.js';
import type { NodeOps } from '../../provisioner/disruption/node-ops.js';
import { pastConsolidateAfter } from '../../provisioner/disruption/kept.js';
import type { ClaimLauncher } from '../../provisioner/nodeclaim/launcher.js';
import { NodeClaimLifecycle } from '../../provisioner/nodeclaim/lifecycle.js';
import { TERMINATION_FINALIZER } from '../../provisioner/nodeclaim/object.js';
import { NodePoolStatusWriter } from './nodepool-status.js';
import { karpenterDisrupted } from '../../provisioner/disruption/decision-metrics.js';
import { NodeOverlayStatusWriter } from './nodeoverlay-status.js';
import { CapacityBufferStatusWriter } from './capacitybuffer-status.js';
import type { BufferSources } from '../../provisioner/input/buffers.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { LeaderDuty } from '../duty.js';
import { driftOf } from '../../provisioner/disruption/node-policy.js';
import { createdAt } from '../../provisioner/disruption/candidates.js';

const ROUND_MS = 5000;
/** How long one answer of the cloud's instance list serves the rounds (DescribeInstances on aws). */
const LIST_TTL_MS = 3000;
const DEBOUNCE_MS = 300;

export interface NodeClaimsWiring {
  readonly api: KubernetesObjectApi;
  readonly custom: CustomObjectsApi;
  readonly claims: ApiClaimStore;
  readonly launcher: ClaimLauncher;
  /** Claims the provisioner or disruption is launching now. */
  readonly launching: (claim: string) => boolean;
  readonly cloud: CloudProvider;
  readonly ops: NodeOps;
  readonly view: InformerClusterView;
  readonly shared: LeaderCaches;
  readonly mode: () => string;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Wakes the disruption duty (a deleted claim's drain starts at once). */
  readonly drainNow: () => void;
  /** When a pod last bound to or left a node, and consolidateAfter for pools that set none (ms). */
  readonly lastPodEvent: (node: string) => Date | undefined;
  readonly defaultConsolidateAfterMs: () => number;
  /** Whether pods wait on the API server (scheduling-gates.ts): claims' bookkeeping waits meanwhile. */
  readonly podsWaiting?: () => boolean;
  /** The CapacityBuffers and what they name, whose status is written here. */
  readonly buffers?: () => BufferSources | undefined;
}

export class ClusterNodeClaims implements LeaderDuty {
  readonly name = 'nodeclaims';
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private unwatch: (() => void)[] = [];
  private running: Promise<unknown> = Promise.resolve();
  private active = false;
  private readonly poolStatus: NodePoolStatusWriter;
  private readonly overlayStatus: NodeOverlayStatusWriter;
  private readonly bufferStatus: CapacityBufferStatusWriter;

  constructor(private readonly w: NodeClaimsWiring) {
    this.poolStatus = new NodePoolStatusWriter(w);
    this.overlayStatus = new NodeOverlayStatusWriter(w);
    this.bufferStatus = new CapacityBufferStatusWriter(w);
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    const w = this.w;
    w.claims.open();
    const nodes = w.shared.acquire<V1Node>('nodes');
    const listed = new TtlCache<readonly Instance[]>(() => Date.now());
    const lifecycle = new NodeClaimLifecycle({
      claims: w.claims,
      nodes: () => nodes.list(),
      // A round may follow every Node update; the cloud is asked at most every few seconds.
      instances: (fresh) => listed.get('instances', fresh ? 0 : LIST_TTL_MS, () => w.cloud.list()),
      launcher: w.launcher,
      launching: w.launching,
      signals: (node) => {
        const pool = w.view.nodePools.find((p) => p.name === node.metadata?.labels?.[LABEL.nodePool]);
        const phase = node.metadata?.annotations?.[DISRUPTION_ANNOTATION];
        const drift = pool ? driftOf({ node, pool }) : undefined;
        const name = node.metadata?.name ?? '';
        const last = w.lastPodEvent(name)?.getTime() ?? createdAt(node);
        const o = { now: Date.now(), defaultMs: w.defaultConsolidateAfterMs() };
        return {
          ...(drift !== undefined ? { drifted: drift } : {}),
          ...(pool && pastConsolidateAfter(pool, last, o) ? { consolidatable: true } : {}),
          ...(phase !== undefined ? { disrupting: phase.replace(/^[a-z]+:/, '') } : {}),
        };
      },
      ops: {
        drain: async (node) => {
          await w.ops.mark(node, `${DRAINING}deletion`, { [SINCE_ANNOTATION]: new Date().toISOString() });
          w.drainNow();
        },
        terminateInstance: (id) => w.cloud.delete(id),
        addNodeFinalizer: (node) => addNodeFinalizer(w.api, node.metadata?.name ?? '', TERMINATION_FINALIZER),
        releaseNode: async (node) => {
          if (node.metadata?.deletionTimestamp === undefined)
            await deleteNode(w.api, node.metadata?.name ?? '');
          await releaseNodeFinalizer(w.api, node, TERMINATION_FINALIZER);
        },
      },
      events: w.events,
      logger: w.logger,
      clock: () => new Date(),
      onGarbage: (kind) => {
        w.metrics.nodeClaimsCollected.inc({ kind });
      },
      onDisrupted: (claim, reason) => {
        karpenterDisrupted(w.metrics, reason, [claim]);
      },
      ...(w.podsWaiting ? { podsWaiting: w.podsWaiting } : {}),
    });
    const soon = () => {
      clearTimeout(this.soonTimer);
      this.soonTimer = setTimeout(() => {
        this.tick(lifecycle, nodes.synced);
      }, DEBOUNCE_MS);
    };
    this.unwatch = [w.claims.onChange(soon), nodes.onChange(soon)];
    this.timer = setInterval(() => {
      this.tick(lifecycle, nodes.synced);
    }, ROUND_MS);
    w.logger.info('nodeclaims leading');
  }

  private tick(lifecycle: NodeClaimLifecycle, nodesSynced: boolean): void {
    if (!this.active || this.w.mode() !== 'berth' || !nodesSynced || !this.w.claims.synced) return;
    this.running = this.running.then(async () => {
      if (!this.active) return;
      try {
        const m = this.w.metrics.controllers;
        const r = await reconcile(m, 'nodeclaim.lifecycle', () => lifecycle.round());
        const acted = [r.adopted, r.abandoned, r.collected, r.orphans].some((x) => x.length > 0);
        if (acted) this.w.logger.info({ round: r }, 'nodeclaims round');
        await reconcile(m, 'nodepool.counter', () => this.poolStatus.round());
        await reconcile(m, 'nodeoverlay', () => this.overlayStatus.round());
        await reconcile(m, 'capacitybuffer', () => this.bufferStatus.round());
      } catch (e) {
        this.w.logger.error({ err: String(e) }, 'nodeclaims round failed');
      }
    });
  }

  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    for (const u of this.unwatch) u();
    this.unwatch = [];
    await this.running;
    this.poolStatus.forget();
    this.overlayStatus.forget();
    this.bufferStatus.forget();
    await this.w.shared.release('nodes');
    await this.w.claims.close();
  }
}
