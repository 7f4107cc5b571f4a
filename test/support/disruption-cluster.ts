/** A cluster in memory for the disruption controller's tests: the fake API its ops act on. */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { node } from './cluster.js';
import { loadObjects } from '../../src/inputs/objects.js';
import type { EventSink } from '../../src/kube/events.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { PDB } from '../../src/policies/view.js';
import { poolView, type NodePool } from '../../src/scheduling/nodepool.js';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { DISRUPTED_TAINT } from '../../src/provisioner/disruption/candidates.js';
import { DisruptionController } from '../../src/provisioner/disruption/controller.js';
import { CLAIM_TAG } from '../../src/provisioner/cloud/provider.js';
import type { Launcher } from '../../src/provisioner/disruption/replacements.js';
import type { EvictionResult, NodeOps } from '../../src/provisioner/disruption/node-ops.js';
import { DISRUPTION_ANNOTATION } from '../../src/provisioner/disruption/marks.js';
import { awaitedReason } from '../../src/provisioner/disruption/awaited.js';
import type { Headed } from '../../src/provisioner/disruption/waiting.js';

const loaded = loadObjects(['deploy/nodepools/general.yaml']);
if (!loaded.ok) throw new Error('deploy/nodepools/general.yaml does not load');
const general = loaded.objects[0]?.object as unknown as NodePool;
/** The general NodePool with consolidateAfter 0s and a 100% budget: every node a candidate at once. */
export const pools = [
  poolView({
    ...general,
    spec: { ...general.spec, disruption: { consolidateAfter: '0s', budgets: [{ nodes: '100%' }] } },
  }),
];

function withGrace(grace: string) {
  return pools.map((p) => {
    const copy = structuredClone(p.pool);
    copy.spec.template.spec.terminationGracePeriod = grace;
    return poolView(copy);
  });
}

/** A cluster in memory whose API the fake ops act on, as the API server and a kubelet would. */
export function cluster(
  nodes: V1Node[],
  pods: V1Pod[],
  pdbs: PDB[] = [],
  o: {
    replace?: 'join' | 'join-unlabelled' | 'never' | 'fail';
    grace?: string;
    foreign?: string[];
    disruption?: NonNullable<NodePool['spec']['disruption']>;
    enabled?: () => boolean;
    validationMs?: number;
    /** The cache still lists a terminated Node (its watch event has not come yet). */
    lagging?: boolean;
    /** Nodes the provisioner planned waiting pods onto. */
    nominated?: readonly string[];
    /** Where waiting pods are headed (the provisioner's nominations). */
    headed?: Headed;
  } = {},
) {
  const state = {
    nodes: [...nodes],
    pods: [...pods],
    pdbs,
    evictions: [] as string[],
    terminated: [] as string[],
    deleted: [] as string[],
    blocked: new Set<string>(),
    /** Pods the API server has bound but the cache does not show yet. */
    late: [] as V1Pod[],
  };
  const find = (n: V1Node) => state.nodes.find((x) => x.metadata?.name === n.metadata?.name);
  const ops: NodeOps = {
    mark: (n, phase, extra = {}, taint = true) => {
      const x = find(n);
      if (x) {
        x.metadata ??= {};
        x.metadata.annotations = { ...x.metadata.annotations, ...extra, [DISRUPTION_ANNOTATION]: phase };
        x.spec ??= {};
        const others = (x.spec.taints ?? []).filter((t) => t.key !== DISRUPTED_TAINT);
        x.spec.taints = taint ? [...others, { key: DISRUPTED_TAINT, effect: 'NoSchedule' }] : others;
      }
      return Promise.resolve();
    },
    unmark: (n) => {
      const x = find(n);
      if (x) {
        x.metadata ??= {};
        x.metadata.annotations = Object.fromEntries(
          Object.entries(x.metadata.annotations ?? {}).filter(([k]) => !k.startsWith('berth.dev/')),
        );
        x.spec ??= {};
        x.spec.taints = (x.spec.taints ?? []).filter((t) => t.key !== DISRUPTED_TAINT);
      }
      return Promise.resolve();
    },
    evict: (p): Promise<EvictionResult> => {
      const name = p.metadata?.name ?? '';
      if (state.blocked.has(name)) return Promise.resolve('blocked');
      state.evictions.push(name);
      state.pods = state.pods.filter((x) => x.metadata?.name !== name); // gone at once (grace 0)
      return Promise.resolve('evicted');
    },
    deletePod: (p) => {
      state.deleted.push(p.metadata?.name ?? '');
      state.pods = state.pods.filter((x) => x.metadata?.name !== p.metadata?.name);
      return Promise.resolve();
    },
    podsOn: (name) =>
      Promise.resolve([...state.pods, ...state.late].filter((p) => p.spec?.nodeName === name)),
    terminate: (n) => {
      state.terminated.push(n.metadata?.name ?? '');
      if (o.lagging !== true) state.nodes = state.nodes.filter((x) => x.metadata?.name !== n.metadata?.name);
      return Promise.resolve();
    },
  };
  const events: { node: string; reason: string; message: string }[] = [];
  const sink: EventSink = {
    emit: (e) => events.push({ node: e.involved.name, reason: e.reason, message: e.message }),
  };
  let active = true;
  let now = new Date('2026-11-23T12:00:00Z');
  const launched: string[] = [];
  const cancelled: string[] = [];
  const launcher: Launcher = {
    launch: (p) => {
      launched.push(p.name);
      if (o.replace === 'fail') return Promise.reject(new Error('InsufficientInstanceCapacity'));
      if (o.replace === 'join') {
        const joined = node(p.name, { type: p.instanceType, zone: p.zone, capacity: p.capacityType });
        if (joined.metadata?.labels) joined.metadata.labels[CLAIM_TAG] = p.name;
        state.nodes.push(joined);
      }
      if (o.replace === 'join-unlabelled') {
        // A kubelet that registers under its own name, without Berth's claim label: only the
        // instance's providerID ties it to the claim.
        const joined = node(`ip-${p.name}`, { type: p.instanceType, zone: p.zone, capacity: p.capacityType });
        delete joined.metadata?.labels?.[CLAIM_TAG];
        state.nodes.push(joined);
      }
      return Promise.resolve();
    },
    cancel: (claims) => {
      cancelled.push(...claims);
      return Promise.resolve();
    },
    providerIds: (claims) =>
      Promise.resolve(
        new Map(
          o.replace === 'join-unlabelled'
            ? claims.flatMap((claim) => {
                const n = state.nodes.find((x) => x.metadata?.name === `ip-${claim}`);
                return n?.spec?.providerID ? [[claim, n.spec.providerID] as const] : [];
              })
            : [],
        ),
      ),
  };
  const metrics = new Metrics();
  const controller = new DisruptionController({
    cluster: {
      synced: () => true,
      nodes: () => state.nodes,
      pods: () => state.pods,
      pdbs: () => state.pdbs,
      pools: () =>
        o.disruption
          ? [poolView({ ...general, spec: { ...general.spec, disruption: o.disruption } })]
          : o.grace === undefined
            ? pools
            : withGrace(o.grace),
      daemonSets: () => [],
      catalog: () => builtinCatalog(),
      lastPodEvent: () => undefined,
      launched: () =>
        Promise.resolve(
          new Set(
            state.nodes
              .filter((n) => !(o.foreign ?? []).includes(n.metadata?.name ?? ''))
              .map((n) => n.spec?.providerID ?? ''),
          ),
        ),
      ...(o.headed ? { headed: o.headed } : {}),
    },
    enabled: o.enabled ?? (() => true),
    defaultConsolidateAfterMs: () => 0,
    spotToSpot: () => false,
    ops,
    events: sink,
    logger: pino({ level: 'silent' }),
    metrics,
    clock: () => now,
    validationMs: o.validationMs ?? 0,
    active: () => active,
    ...(o.replace ? { launcher, joinTimeoutMs: 600_000 } : {}),
    ...(o.nominated
      ? {
          awaited: (n: V1Node) =>
            awaitedReason(n, {
              now: now.getTime(),
              nominated: (name) => o.nominated?.includes(name) === true,
              claimOf: () => undefined,
              lastPodEvent: () => undefined,
              gated: false,
            }),
        }
      : {}),
  });
  return {
    state,
    controller,
    events,
    metrics,
    launched,
    cancelled,
    lose: () => (active = false),
    later: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}
