/**
 * The provisioner benchmark's workloads: Karpenter's own scheduling benchmark mix (generic pods, zonal
 * and hostname topology spread, zonal self-affinity, hostname anti-affinity; CPU from {100, 250, 500,
 * 1000, 1500}m, memory from {100Mi … 4Gi}) over its 400 synthetic instance types, and generic pods over
 * the real catalog with the seven default NodePools. Seeded, so every run plans the same pods.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import { loadObjects } from '../src/inputs/objects.js';
import { defaultNodePoolsPath } from '../src/inputs/session.js';
import { builtinCatalog, makeCatalog, type Catalog } from '../src/catalog/catalog.js';
import type { InstanceTypeFacts } from '../src/catalog/instance-type.js';
import { solverPod } from '../src/provisioner/input/pods.js';
import type { SolverInput, SolverPod } from '../src/provisioner/solver/model.js';
import { poolView, type NodePool, type PoolView } from '../src/scheduling/nodepool.js';

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CPU = ['100m', '250m', '500m', '1000m', '1500m'];
const MEMORY = ['100Mi', '256Mi', '512Mi', '1024Mi', '2048Mi', '4096Mi'];
const VALUES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

type Kind = 'generic' | 'zone-spread' | 'host-spread' | 'zone-affinity' | 'host-anti';

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

function spec(r: () => number, kind: Kind, labels: Record<string, string>): V1PodSpec {
  const s: V1PodSpec = {
    containers: [
      {
        name: 'app',
        image: 'pause',
        resources: { requests: { cpu: pick(r, CPU), memory: pick(r, MEMORY) } },
      },
    ],
  };
  const selector = { matchLabels: { 'my-label': pick(r, VALUES) } };
  if (kind === 'zone-spread' || kind === 'host-spread')
    s.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: kind === 'zone-spread' ? ZONE : HOST,
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: selector,
      },
    ];
  if (kind === 'zone-affinity')
    s.affinity = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: ZONE, labelSelector: { matchLabels: labels } },
        ],
      },
    };
  if (kind === 'host-anti')
    s.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: HOST, labelSelector: { matchLabels: labels } },
        ],
      },
    };
  return s;
}

function labelsFor(r: () => number, kind: Kind): Record<string, string> {
  if (kind === 'zone-affinity') return { 'my-affininity': pick(r, VALUES) };
  if (kind === 'host-anti') return { app: 'nginx' };
  return { 'my-label': pick(r, VALUES) };
}

export function makePods(count: number, kinds: readonly Kind[], seed = 42): SolverPod[] {
  const r = rng(seed);
  const per = Math.floor(count / kinds.length);
  const out: SolverPod[] = [];
  kinds.forEach((kind) => {
    for (let i = 0; i < per; i++) out.push(podOf(r, kind, out.length));
  });
  while (out.length < count) out.push(podOf(r, 'generic', out.length));
  return out;
}

function podOf(r: () => number, kind: Kind, i: number): SolverPod {
  const labels = labelsFor(r, kind);
  const s = spec(r, kind, labels);
  return solverPod(`bench/${kind}-${i}`, 'bench', { metadata: { labels }, spec: s });
}

export const MIX: readonly Kind[] = ['generic', 'zone-spread', 'host-spread', 'zone-affinity', 'host-anti'];
export const GENERIC: readonly Kind[] = ['generic'];

/** Karpenter's fake.InstanceTypes(400): type i has i+1 vCPU, 2(i+1) GiB, 10(i+1) pods, priced by resources. */
export function syntheticCatalog(count = 400): Catalog {
  const types: InstanceTypeFacts[] = Array.from({ length: count }, (_, i) => {
    const vcpu = i + 1;
    const memoryMiB = 2048 * vcpu;
    return {
      name: `fake-it-${i}`,
      family: 'fake',
      category: 'f',
      generation: 1,
      size: String(vcpu),
      arch: 'amd64',
      os: 'linux',
      vcpu,
      memoryMiB,
      hypervisor: null,
      cpuManufacturer: null,
      networkBandwidthMbps: null,
      localNvmeGiB: null,
      gpu: null,
      allocatable: { cpuMillis: vcpu * 1000, memoryMiB, pods: 10 * vcpu, ephemeralStorageGiB: 20 },
      onDemandPriceUSDPerHour: 0.1 * vcpu + (0.1 * memoryMiB * 1048576) / 1e9,
    };
  });
  return makeCatalog(
    { source: 'synthetic (Karpenter fake.InstanceTypes)', region: 'test', instanceTypes: types },
    ['test-zone-1', 'test-zone-2', 'test-zone-3'],
  );
}

export function benchPool(): PoolView {
  const pool: NodePool = {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'default' },
    spec: {
      limits: { cpu: '10000000', memory: '10000000Gi' },
      template: { spec: { nodeClassRef: { name: 'default' }, requirements: [] } },
    },
  };
  return poolView(pool);
}

/** The seven default NodePools; `unlimited` lifts their limits so that every pod is planned. */
export function defaultPools(unlimited = false): PoolView[] {
  const loaded = loadObjects([defaultNodePoolsPath()]);
  if (!loaded.ok) throw new Error('cannot load the default NodePools');
  return loaded.objects
    .filter((o) => o.object.kind === 'NodePool')
    .map((o) => {
      const pool = structuredClone(o.object) as unknown as NodePool;
      if (unlimited) delete pool.spec.limits;
      return poolView(pool);
    });
}

export interface Suite {
  readonly name: string;
  readonly input: (count: number) => SolverInput;
}

export const SUITES: readonly Suite[] = [
  {
    name: 'karpenter-mix',
    input: (n) => ({
      pods: makePods(n, MIX),
      nodes: [],
      pools: [benchPool()],
      daemonSets: [],
      catalog: syntheticCatalog(),
    }),
  },
  {
    name: 'generic',
    input: (n) => ({
      pods: makePods(n, GENERIC),
      nodes: [],
      pools: [benchPool()],
      daemonSets: [],
      catalog: syntheticCatalog(),
    }),
  },
  {
    name: 'real-catalog-generic',
    input: (n) => ({
      pods: makePods(n, GENERIC),
      nodes: [],
      pools: defaultPools(true),
      daemonSets: [],
      catalog: builtinCatalog(),
    }),
  },
];
