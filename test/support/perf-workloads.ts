/**
 * Karpenter's performance suite (kubernetes-sigs/karpenter test/suites/performance, v1.14) as data:
 * its NodePool settings and its workloads, step by step, with the shapes of its files — the
 * Deployments of `test.CreateDeploymentOptions` (labels app=<name> and testing/cluster=unspecified,
 * requests cpu/memory), hostname spread and self anti-affinity over the Deployment's pods, the
 * do-not-disrupt annotation, the 30 wide Deployments. Both provisioners of `npm run bench:cluster`
 * get the same manifests; the e2e tier's kwok scenario runs `basic` at 1/10.
 *
 * One addition to Karpenter's files: every Deployment has a PodDisruptionBudget (maxUnavailable 20%),
 * so that the bench can count evictions that took one below its minimum.
 */
export const NAMESPACE = 'perf';
export const DISCOVERY = { 'testing/cluster': 'unspecified' } as const;

export interface Deploy {
  name: string;
  replicas: number;
  cpu: string;
  memory: string;
  hostnameSpread?: boolean;
  zoneSpread?: boolean;
  antiAffinity?: boolean;
  doNotDisrupt?: boolean;
}

export type Step =
  /** Create these Deployments (and their PDBs), or scale existing ones, then wait for all pods Running. */
  | { kind: 'scale-out'; create: readonly Deploy[]; scale: Readonly<Record<string, number>> }
  /** Scale these Deployments in, then wait until the nodes are consolidated. */
  | { kind: 'scale-in'; scale: Readonly<Record<string, number>> }
  /** Change the NodePool's template (an annotation): every node drifts and is replaced. */
  | { kind: 'drift' }
  /**
   * Pods that come and go: every minute for `minutes`, these Deployments alternate between `low` and
   * their `scale` replicas (ending at `scale`); node launches and removals are counted per hour.
   */
  | {
      kind: 'churn';
      minutes: number;
      low: Readonly<Record<string, number>>;
      scale: Readonly<Record<string, number>>;
    };

export interface Workload {
  name: string;
  title: string;
  steps: readonly Step[];
  /** Karpenter's own threshold for the first scale-out, seconds. */
  scaleOutThreshold: number;
  /** The NodePool's consolidationPolicy (default WhenEmptyOrUnderutilized, as the suite's). */
  policy?: 'Balanced';
}

const SMALL = { cpu: '900m', memory: '3100Mi' };
const LARGE = { cpu: '3500m', memory: '28Gi' };

/** Replicas × scale, at least 1 (the suite at 1/10 for CI, ×10 for the scale goal). */
const scaled = (n: number, scale: number) => Math.max(1, Math.round(n * scale));

function wide(): { create: Deploy[]; scaleIn: Record<string, number> } {
  const cpu =
    '240m 450m 650m 900m 1400m 1900m 2400m 2800m 3300m 3700m 2300m 900m 1300m 2800m 1800m 1850m 3300m 3800m 225m 450m 700m 900m 1300m 1800m 2400m 2800m 3400m 3800m 3300m 2800m'.split(
      ' ',
    );
  const memory =
    '300Mi 400Mi 700Mi 1Gi 2Gi 4Gi 8Gi 4Gi 16Gi 10Gi 64Gi 30Gi 32Gi 32Gi 30Gi 20Gi 30Gi 300Mi 500Mi 750Mi 1Gi 2Gi 4Gi 8Gi 16Gi 32Gi 28Gi 64Gi 13Gi 24Gi'.split(
      ' ',
    );
  const create: Deploy[] = [];
  const scaleIn: Record<string, number> = {};
  for (let i = 0; i < 30; i++) {
    const name = `wide-deployment-${i + 1}`;
    create.push({
      name,
      replicas: i < 20 ? 35 : 30,
      cpu: cpu[i] ?? '1',
      memory: memory[i] ?? '1Gi',
      zoneSpread: true,
      antiAffinity: i < 3,
      hostnameSpread: i >= 3 && i < 6,
    });
    scaleIn[name] = i < 20 ? 25 : 20;
  }
  return { create, scaleIn };
}

/** The suite's workloads at `scale` (1 = Karpenter's sizes). */
export function perfWorkloads(scale = 1): Workload[] {
  const s = (n: number) => scaled(n, scale);
  const d = (name: string, n: number, size: typeof SMALL, more: Partial<Deploy> = {}): Deploy => ({
    name,
    replicas: s(n),
    ...size,
    ...more,
  });
  const to = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, s(v)]));
  const w = wide();
  return [
    {
      name: 'basic',
      title: 'Basic Deployment',
      scaleOutThreshold: 120,
      steps: [
        {
          kind: 'scale-out',
          create: [d('small-resource-app', 500, SMALL), d('large-resource-app', 500, LARGE)],
          scale: {},
        },
        { kind: 'scale-in', scale: to({ 'small-resource-app': 350, 'large-resource-app': 350 }) },
      ],
    },
    {
      name: 'hostname-spread',
      title: 'Host Name Spreading',
      scaleOutThreshold: 300,
      steps: [
        {
          kind: 'scale-out',
          create: [
            d('small-resource-app', 500, SMALL, { hostnameSpread: true }),
            d('large-resource-app', 500, LARGE),
          ],
          scale: {},
        },
        { kind: 'scale-in', scale: to({ 'small-resource-app': 350, 'large-resource-app': 350 }) },
      ],
    },
    {
      name: 'hostname-spread-xl',
      title: 'Host Name Spreading XL',
      scaleOutThreshold: 2100,
      steps: [
        {
          kind: 'scale-out',
          create: [
            d('small-resource-app', 1000, SMALL, { hostnameSpread: true }),
            d('large-resource-app', 1000, LARGE),
          ],
          scale: {},
        },
        { kind: 'scale-in', scale: to({ 'small-resource-app': 700, 'large-resource-app': 700 }) },
      ],
    },
    {
      name: 'wide',
      title: 'Wide Deployments',
      scaleOutThreshold: 300,
      steps: [
        { kind: 'scale-out', create: w.create.map((x) => ({ ...x, replicas: s(x.replicas) })), scale: {} },
        { kind: 'scale-in', scale: to(w.scaleIn) },
      ],
    },
    {
      name: 'do-not-disrupt',
      title: 'Do Not Disrupt',
      scaleOutThreshold: 240,
      steps: [
        {
          kind: 'scale-out',
          create: [
            d('small-resource-app', 500, SMALL, { hostnameSpread: true }),
            d('large-resource-app', 500, LARGE),
            d('do-not-disrupt-app', 100, { cpu: '900m', memory: '450Mi' }, { doNotDisrupt: true }),
          ],
          scale: {},
        },
        { kind: 'scale-in', scale: to({ 'small-resource-app': 250, 'large-resource-app': 250 }) },
      ],
    },
    {
      name: 'self-anti-affinity',
      title: 'Self Anti-Affinity Interference',
      scaleOutThreshold: 300,
      steps: [
        {
          kind: 'scale-out',
          create: [d('small-resource-app', 500, SMALL, { antiAffinity: true })],
          scale: {},
        },
        {
          kind: 'scale-out',
          create: [d('large-resource-app', 500, LARGE, { antiAffinity: true })],
          scale: to({ 'small-resource-app': 250 }),
        },
        { kind: 'scale-in', scale: to({ 'small-resource-app': 400, 'large-resource-app': 200 }) },
      ],
    },
    {
      name: 'drift',
      title: 'Drift',
      scaleOutThreshold: 300,
      steps: [
        {
          kind: 'scale-out',
          create: [
            d('hostname-spread-app', 300, SMALL, { hostnameSpread: true }),
            d('standard-app', 300, LARGE),
          ],
          scale: {},
        },
        { kind: 'drift' },
      ],
    },
    {
      // Not in Karpenter's suite: a Balanced pool under pods that come and go every minute (web
      // traffic an HPA follows). What counts is how many nodes are replaced per hour, and at what $/h.
      name: 'churn',
      title: 'Churn on a Balanced pool',
      scaleOutThreshold: 120,
      policy: 'Balanced',
      steps: [
        {
          kind: 'scale-out',
          create: [d('small-resource-app', 300, SMALL), d('large-resource-app', 100, LARGE)],
          scale: {},
        },
        {
          kind: 'churn',
          minutes: 10,
          low: to({ 'small-resource-app': 200, 'large-resource-app': 70 }),
          scale: to({ 'small-resource-app': 300, 'large-resource-app': 100 }),
        },
      ],
    },
  ];
}

const spread = (key: string, app: string) => ({
  maxSkew: 1,
  topologyKey: key,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app, ...DISCOVERY } },
});

/** Karpenter's test.Deployment for `d`: one pause container asking for cpu and memory. */
export function deploymentOf(d: Deploy) {
  const labels = { app: d.name, ...DISCOVERY };
  const spreads = [
    ...(d.zoneSpread ? [spread('topology.kubernetes.io/zone', d.name)] : []),
    ...(d.hostnameSpread ? [spread('kubernetes.io/hostname', d.name)] : []),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: NAMESPACE, labels },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          ...(d.doNotDisrupt ? { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } } : {}),
        },
        spec: {
          terminationGracePeriodSeconds: 0,
          ...(spreads.length > 0 ? { topologySpreadConstraints: spreads } : {}),
          ...(d.antiAffinity
            ? {
                affinity: {
                  podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                      { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
                    ],
                  },
                },
              }
            : {}),
          containers: [
            {
              name: 'app',
              image: 'registry.k8s.io/pause:3.10',
              resources: { requests: { cpu: d.cpu, memory: d.memory } },
            },
          ],
        },
      },
    },
  };
}

/** The PDB the bench adds to every Deployment: at most 20% of its pods unavailable. */
export const pdbOf = (name: string) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: NAMESPACE },
  spec: { maxUnavailable: '20%', selector: { matchLabels: { app: name, ...DISCOVERY } } },
});

/**
 * Karpenter's performance NodePool (its default_nodepool.yaml with the suite's changes: no limits,
 * WhenEmptyOrUnderutilized after 30s, budget 100%), for a NodeClass. Karpenter's kwok run keeps to
 * types of fewer than 32 vCPUs; Berth's pool says so with `karpenter.k8s.aws/instance-cpu Lt 32`, and
 * Karpenter's side is given only those types (bench/cluster/instance-types.ts).
 */
export function perfNodePool(
  nodeClassRef: { group: string; kind: string; name: string },
  extra: object[] = [],
  policy: 'WhenEmptyOrUnderutilized' | 'Balanced' = 'WhenEmptyOrUnderutilized',
) {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'perf', labels: { ...DISCOVERY } },
    spec: {
      template: {
        metadata: { labels: { ...DISCOVERY } },
        spec: {
          nodeClassRef,
          expireAfter: 'Never',
          requirements: [
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            ...extra,
          ],
        },
      },
      disruption: {
        consolidationPolicy: policy,
        consolidateAfter: '30s',
        budgets: [{ nodes: '100%' }],
      },
    },
  };
}

/** Berth's side: an EC2NodeClass pool of types under 32 vCPUs. */
export const berthPerfPool = (policy?: 'Balanced') =>
  perfNodePool(
    { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
    [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: ['32'] }],
    policy,
  );

/** Karpenter's side: a KWOKNodeClass pool; its instance-types file holds only the types under 32 vCPUs. */
export const karpenterPerfPool = (policy?: 'Balanced') =>
  perfNodePool({ group: 'karpenter.kwok.sh', kind: 'KWOKNodeClass', name: 'default' }, [], policy);

/**
 * Six DaemonSets of the kind every EKS node runs (bench:cluster --daemonsets), 555m CPU and 1,126 Mi
 * of memory requested on each node in all: the CNI, kube-proxy, the EBS CSI node plugin, a metrics
 * exporter, a log shipper and a telemetry agent. In kube-system, tolerating every taint, as such
 * agents are deployed; each provisioner must leave room for them on every node it launches.
 */
export function nodeDaemonSets(): object[] {
  const agents: [name: string, cpu: string, memory: string][] = [
    ['aws-node', '50m', '128Mi'],
    ['kube-proxy', '100m', '64Mi'],
    ['ebs-csi-node', '30m', '120Mi'],
    ['node-exporter', '100m', '180Mi'],
    ['fluent-bit', '150m', '300Mi'],
    ['otel-agent', '125m', '334Mi'],
  ];
  return agents.map(([name, cpu, memory]) => {
    const labels = { 'app.kubernetes.io/name': name };
    return {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: 'kube-system', labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 0,
            tolerations: [{ operator: 'Exists' }],
            containers: [
              { name, image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory } } },
            ],
          },
        },
      },
    };
  });
}
