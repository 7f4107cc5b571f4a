/**
 * The faults of `npm run bench:chaos`, each injected into one change of the cluster at a point drawn
 * from the run's seed: the change (a scale-out, a scale-in that Berth consolidates, a NodePool change
 * that drifts every node), when the fault lands (seconds after the change, or after the first node
 * starts leaving) and the fault itself.
 */
import type { ControlPlane } from '../../test/e2e/control-plane.js';
import { LABEL } from '../../src/catalog/instance-type.js';
import type { SimFaults } from '../../src/provisioner/cloud/sim-faults.js';
import type { BerthReplicas } from './replicas.js';
import type { InterruptionQueue, NodeSeen } from './spot-wave.js';

export type Change =
  | { kind: 'create' }
  /** The cluster as it is. */
  | { kind: 'none' }
  | { kind: 'scale'; replicas: Readonly<Record<string, number>> }
  | { kind: 'drift' };

export interface FaultWorld {
  replicas: BerthReplicas;
  cp: ControlPlane;
  /** The kwok cloud's faults file (berth serve --kwok-faults), written whole by rename. */
  cloudFaults: (faults: SimFaults | undefined) => void;
  /** The Nodes there now. */
  nodes: () => readonly NodeSeen[];
  /** The interruption queue Berth reads (for faults that say `queue`). */
  queue?: InterruptionQueue | undefined;
  rand: () => number;
  log: (s: string) => void;
}

export interface Fault {
  /** The table's name: what failed, and during what. */
  name: string;
  change: Change;
  /** Wait for a node to start leaving (consolidation, drift) before the fault's delay starts. */
  afterLeaving: boolean;
  /** The delay, seconds, drawn from [min, max). */
  window: readonly [number, number];
  inject(w: FaultWorld): Promise<string>;
  /** Needs an interruption queue (moto_server's SQS) that Berth reads. */
  queue?: true;
}

/**
 * How long a killed replica stays down before its container is started again (the kubelet's back-off
 * after a second crash): longer than the Lease (15 s), so that the other replica takes over. Started
 * sooner, the same identity would take its own Lease back at once.
 */
const RESTART_MS = 20_000;
const BOTH_DOWN_MS = 60_000;
const CLOUD_FAULT_MS = 120_000;
const LAUNCH_SECONDS = 5;
const WAVE_SHARE = 0.3;

/** The instance types most of the Nodes are, and the zones most are in: what Berth buys first. */
function mostBought(nodes: readonly NodeSeen[], label: string, n: number): string[] {
  const by = new Map<string, number>();
  for (const { labels } of nodes) {
    const v = labels[label];
    if (v !== undefined) by.set(v, (by.get(v) ?? 0) + 1);
  }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([v]) => v);
}

/**
 * For two minutes, the three instance types Berth bought most have no capacity in the two zones it
 * bought most in, and every launch takes 5 s to answer; then the cloud is whole again.
 */
function cloudRefuses(w: FaultWorld): Promise<string> {
  const nodes = w.nodes();
  const types = mostBought(nodes, LABEL.instanceType, 3);
  const zones = mostBought(nodes, LABEL.zone, 2);
  w.cloudFaults({
    unavailable: types.flatMap((instanceType) => zones.map((zone) => ({ instanceType, zone }))),
    launchSeconds: LAUNCH_SECONDS,
  });
  setTimeout(() => w.cloudFaults(undefined), CLOUD_FAULT_MS).unref();
  return Promise.resolve(
    `no capacity for ${types.join(', ')} in ${zones.join(', ')} and launches answered after ${String(LAUNCH_SECONDS)} s, for ${String(CLOUD_FAULT_MS / 1000)} s`,
  );
}

async function killLeader(w: FaultWorld): Promise<string> {
  const leader = w.replicas.leader();
  if (leader === undefined) return 'no leader held the Lease';
  await w.replicas.kill(leader, RESTART_MS);
  return `killed the leader ${leader} (SIGKILL), started again after ${RESTART_MS / 1000} s`;
}

/** Karpenter's performance suite's *basic* workload, then the faults on its changes, in order. */
export function faults(
  sizes: {
    full: Readonly<Record<string, number>>;
    scaledIn: Readonly<Record<string, number>>;
    grown: Readonly<Record<string, number>>;
    largest: Readonly<Record<string, number>>;
  },
  scale = 1,
): Fault[] {
  // A scale-out's windows are for full size (1,000 pods take ~30–50 s to run); a smaller one is over
  // sooner, and its faults come sooner with it.
  const f = Math.max(0.3, Math.min(1, scale));
  const early = (lo: number, hi: number) => [lo * f, hi * f] as const;
  return [
    {
      name: 'leader killed mid scale-out',
      change: { kind: 'create' },
      afterLeaving: false,
      window: early(1, 10),
      inject: killLeader,
    },
    {
      name: 'leader killed mid consolidation',
      change: { kind: 'scale', replicas: sizes.scaledIn },
      afterLeaving: true,
      window: [0, 5],
      inject: killLeader,
    },
    {
      name: 'leader killed mid drift',
      change: { kind: 'drift' },
      afterLeaving: true,
      window: [0, 15],
      inject: killLeader,
    },
    {
      name: 'both replicas down 60 s mid scale-out',
      change: { kind: 'scale', replicas: sizes.full },
      afterLeaving: false,
      window: early(1, 8),
      inject: async (w) => {
        for (const id of w.replicas.up()) await w.replicas.kill(id, BOTH_DOWN_MS);
        return `killed both replicas (SIGKILL), started again after ${BOTH_DOWN_MS / 1000} s`;
      },
    },
    {
      name: 'kube-apiserver restarted mid scale-out',
      change: { kind: 'scale', replicas: sizes.grown },
      afterLeaving: false,
      window: early(1, 8),
      inject: async (w) => {
        const t = Date.now();
        await w.cp.restartApiServer('SIGKILL');
        return `killed kube-apiserver (SIGKILL) and started it again: ready after ${((Date.now() - t) / 1000).toFixed(1)} s`;
      },
    },
    {
      name: 'capacity refused and the cloud slow mid scale-out',
      change: { kind: 'scale', replicas: sizes.largest },
      afterLeaving: false,
      window: [0, 3],
      inject: cloudRefuses,
    },
    {
      name: 'spot wave: 30% of spot nodes reclaimed within a minute',
      change: { kind: 'none' },
      afterLeaving: false,
      window: [0, 1],
      queue: true,
      inject: async (w) => {
        if (!w.queue) throw new Error('the spot wave needs the interruption queue');
        const nodes = w.nodes();
        const n = await w.queue.wave(nodes, {
          share: WAVE_SHARE,
          spreadMs: 60_000,
          rand: w.rand,
          stillThere: (name) => w.nodes().some((x) => x.name === name),
        });
        const spot = nodes.filter((x) => x.labels[LABEL.capacityType] === 'spot').length;
        return `spot interruption warnings for ${String(n)} of ${String(spot)} spot nodes over 60 s; each instance terminated 2 min after its warning`;
      },
    },
  ];
}
