/**
 * The side-by-side suite's inputs, written as files both schedulers read: pods (seeded), and one
 * NodePool `general` (amd64, on-demand, c/m/r, generation > 4, zones a–c: 683 types of the real
 * catalog) with its EC2NodeClass.
 * - generic: cpu {100m, 250m, 500m, 1, 1.5}, memory {100Mi … 4Gi}, label app=app-<i/10>.
 * - diverse: thirds generic / zone spread (DoNotSchedule, maxSkew 1, over its app) / required
 *   hostname anti-affinity over its app, in apps of ten pods.
 * - karpenter-mix: Karpenter's own benchmark mix (makeDiversePods: fifths generic, zonal spread,
 *   hostname spread, zonal self-affinity, hostname anti-affinity), with the pool's cpu limit lifted.
 */
import { rng } from './provisioner-suite.js';

export type WorkloadKind = 'generic' | 'diverse' | 'karpenter-mix';

const CPU = ['100m', '250m', '500m', '1000m', '1500m'];
const MEM = ['100Mi', '256Mi', '512Mi', '1Gi', '2Gi', '4Gi'];
const VALUES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

type Json = Record<string, unknown>;

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function pod(name: string, labels: Json, r: () => number, extra: Json = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'bench', labels },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.9',
          resources: { requests: { cpu: pick(r, CPU), memory: pick(r, MEM) } },
        },
      ],
      ...extra,
    },
  };
}

const spread = (key: string, match: Json) => ({
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: key,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: match },
    },
  ],
});

const affinity = (kind: 'podAffinity' | 'podAntiAffinity', key: string, match: Json) => ({
  affinity: {
    [kind]: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: key, labelSelector: { matchLabels: match } },
      ],
    },
  },
});

function generic(n: number, r: () => number): Json[] {
  return Array.from({ length: n }, (_, i) => pod(`generic-${i}`, { app: `app-${Math.floor(i / 10)}` }, r));
}

function diverse(n: number, r: () => number): Json[] {
  return Array.from({ length: n }, (_, i) => {
    const third = Math.floor((3 * i) / n);
    const app = { app: `${['g', 's', 'x'][third] ?? 'g'}-${Math.floor(i / 10)}` };
    if (third === 1) return pod(`spread-${i}`, app, r, spread(ZONE, app));
    if (third === 2) return pod(`anti-${i}`, app, r, affinity('podAntiAffinity', HOST, app));
    return pod(`generic-${i}`, app, r);
  });
}

function mix(n: number, r: () => number): Json[] {
  const fifth = Math.floor(n / 5);
  const out: Json[] = [];
  const each = (k: number, make: (i: number) => Json) => {
    for (let i = 0; i < k; i++) out.push(make(out.length));
  };
  const label = () => ({ 'my-label': pick(r, VALUES) });
  each(fifth, (i) => pod(`generic-${i}`, label(), r));
  each(fifth, (i) => pod(`zspread-${i}`, label(), r, spread(ZONE, label())));
  each(fifth, (i) => pod(`hspread-${i}`, label(), r, spread(HOST, label())));
  each(fifth, (i) => {
    const own = { 'my-affininity': pick(r, VALUES) };
    return pod(`zaff-${i}`, own, r, affinity('podAffinity', ZONE, { 'my-affininity': pick(r, VALUES) }));
  });
  each(fifth, (i) =>
    pod(`anti-${i}`, { app: 'nginx' }, r, affinity('podAntiAffinity', HOST, { app: 'nginx' })),
  );
  each(n - out.length, (i) => pod(`generic-${i}`, label(), r));
  return out;
}

export function podsOf(kind: WorkloadKind, n: number, seed = 1): Json[] {
  const r = rng(seed);
  if (kind === 'diverse') return diverse(n, r);
  if (kind === 'karpenter-mix') return mix(n, r);
  return generic(n, r);
}

export function nodePoolsOf(cpuLimit: string): Json[] {
  return [
    {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'general' },
      spec: {
        template: {
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
              { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
              { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
              { key: ZONE, operator: 'In', values: ZONES },
            ],
          },
        },
        limits: { cpu: cpuLimit },
      },
    },
    {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: 'default' },
      spec: {
        role: 'KarpenterNodeRole-bench',
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'bench' } }],
        securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'bench' } }],
      },
    },
  ];
}
