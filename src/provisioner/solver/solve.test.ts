import { ZERO } from './resources.js';
import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { facts, testCatalog } from '../../../test/support/instance-facts.js';
import { solverPod } from '../input/pods.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { Requirements } from '../../scheduling/requirements.js';
import { verifyPlan } from '../verify/verify-plan.js';
import type { ExistingNode, SolverInput, SolverPod } from './model.js';
import { solve } from './solve.js';

const catalog = testCatalog([
  facts('m6i.large', [2, 8, 29, 0.096]),
  facts('m6i.xlarge', [4, 16, 58, 0.192]),
  facts('m6i.2xlarge', [8, 32, 58, 0.384]),
  facts('c6i.xlarge', [4, 8, 58, 0.17]),
  facts('r6i.xlarge', [4, 32, 58, 0.252]),
  facts('t3.small', [2, 2, 11, 0.0208], { category: 't', family: 't3' }),
]);

function pool(
  name: string,
  spec: Partial<NodePool['spec']> = {},
  requirements: NodePool['spec']['template']['spec']['requirements'] = [],
  taints: NodePool['spec']['template']['spec']['taints'] = [],
): NodePool {
  return {
    metadata: { name },
    spec: {
      template: {
        spec: { nodeClassRef: { name: 'default' }, requirements: withOldDefaults(requirements), taints },
      },
      ...spec,
    },
  };
}

/** These tables were written for on-demand amd64 pools (Karpenter v1 defaults neither): said outright. */
function withOldDefaults(
  reqs: NonNullable<NodePool['spec']['template']['spec']['requirements']>,
): NonNullable<NodePool['spec']['template']['spec']['requirements']> {
  const has = (key: string) => reqs.some((r) => r.key === key);
  return [
    ...reqs,
    ...(has('karpenter.sh/capacity-type')
      ? []
      : [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }]),
    ...(has('kubernetes.io/arch') ? [] : [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]),
  ];
}

const CMR = [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] }];
const general = (): NodePool => pool('default', {}, CMR);

let seq = 0;
function pod(
  spec: Partial<V1PodSpec> & { cpu?: string; memory?: string },
  labels: Record<string, string> = { app: 'web' },
): SolverPod {
  seq += 1;
  const { cpu = '500m', memory = '1Gi', ...rest } = spec;
  return solverPod(`default/p-${String(seq).padStart(3, '0')}`, 'default', {
    metadata: { labels },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory } } }], ...rest },
  });
}

function input(
  pods: SolverPod[],
  pools: NodePool[] = [general()],
  more: Partial<SolverInput> = {},
): SolverInput {
  return { pods, nodes: [], pools: pools.map(poolView), daemonSets: [], catalog, ...more };
}

function planOf(i: SolverInput) {
  const plan = solve(i);
  expect(verifyPlan(i, plan)).toEqual([]);
  return plan;
}

describe('solve', () => {
  it('buys the cheapest type that holds the pods', () => {
    const plan = planOf(input(Array.from({ length: 3 }, () => pod({}))));
    expect(plan.nodes).toHaveLength(1);
    expect(plan.nodes[0]?.instanceType).toBe('m6i.large');
    expect(plan.unschedulable).toEqual([]);
    expect(plan.totals).toMatchObject({ nodes: 1, pods: 3, pricePerHour: 0.096 });
  });

  it('bounds an on-demand-only pod at on-demand prices, never at a spot price it may not use', () => {
    const onDemand = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
                ],
              },
            ],
          },
        },
      },
    };
    const pools = [
      pool('any', {}, [
        ...CMR,
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
      ]),
    ];
    const od = planOf(
      input(
        Array.from({ length: 6 }, () => pod({ ...onDemand, cpu: '1' })),
        pools,
      ),
    );
    const free = planOf(
      input(
        Array.from({ length: 6 }, () => pod({ cpu: '1' })),
        pools,
      ),
    );
    expect(od.nodes.every((n) => n.capacityType === 'on-demand')).toBe(true);
    expect(od.lowerBound).toBeGreaterThan(free.lowerBound);
    expect(od.lowerBound).toBeLessThanOrEqual(od.totals.pricePerHour + 1e-9);
    expect(od.totals.pricePerHour / od.lowerBound).toBeLessThan(1.5);
  });

  it('uses an existing node with room before buying', () => {
    const node: ExistingNode = {
      name: 'ip-10-0-0-1',
      labels: {
        'kubernetes.io/hostname': 'ip-10-0-0-1',
        'topology.kubernetes.io/zone': 'us-east-1a',
        'node.kubernetes.io/instance-type': 'm6i.2xlarge',
      },
      taints: [],
      allocatable: { ...ZERO, cpu: 7900, mem: 32168, pods: 58 },
      pods: [],
      inFlight: false,
    };
    const plan = planOf(input([pod({}), pod({})], [general()], { nodes: [node] }));
    expect(plan.nodes).toHaveLength(1);
    expect(plan.nodes[0]).toMatchObject({ name: 'ip-10-0-0-1', existing: true });
    expect(plan.totals.nodes).toBe(0);
  });

  it('packs pods that differ only in labels no selector reads as one shape: the same plan as identical pods', () => {
    const cpus = ['100m', '250m', '500m', '1', '1500m'];
    const mems = ['128Mi', '512Mi', '1Gi', '2Gi'];
    const shapes = (i: number) => ({
      cpu: cpus[i % cpus.length] ?? '100m',
      memory: mems[(i * 7) % mems.length] ?? '128Mi',
    });
    const apart = Array.from({ length: 1000 }, (_, i) =>
      pod(shapes(i), { app: `app-${Math.floor(i / 10)}` }),
    );
    const alike = Array.from({ length: 1000 }, (_, i) => pod(shapes(i), { app: 'same' }));
    const a = planOf(input(apart));
    const b = planOf(input(alike));
    expect(a.unschedulable).toEqual([]);
    expect(a.totals.pricePerHour).toBe(b.totals.pricePerHour);
    expect(a.nodes.map((n) => `${n.instanceType} ${n.pods.length}`)).toEqual(
      b.nodes.map((n) => `${n.instanceType} ${n.pods.length}`),
    );
    expect(a.totals.pricePerHour).toBeLessThanOrEqual(a.lowerBound * 1.05);
  });

  it('places a pod whose affinity selects pods placed after it, as the scheduler retries it', () => {
    const towards = (app: string, key = 'topology.kubernetes.io/zone') => ({
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: key, labelSelector: { matchLabels: { app } } },
          ],
        },
      },
    });
    // Bigger pods go first: web waits for db, db for cache (which selects itself, so it goes anywhere).
    const chain = [
      pod({ cpu: '2', ...towards('db') }, { app: 'web' }),
      pod({ cpu: '1', ...towards('cache') }, { app: 'db' }),
      pod({ cpu: '500m', ...towards('cache') }, { app: 'cache' }),
    ];
    const plan = planOf(input(chain));
    expect(plan.unschedulable).toEqual([]);
    const zoneOf = (id: string | undefined) => plan.nodes.find((n) => n.pods.includes(id ?? ''))?.zone;
    expect(zoneOf(chain[0]?.id)).toBe(zoneOf(chain[1]?.id));
    expect(zoneOf(chain[1]?.id)).toBe(zoneOf(chain[2]?.id));
    // A hostname affinity to pods without constraints of their own: placed once those are packed.
    const beside = [
      pod({ cpu: '1', ...towards('cache', 'kubernetes.io/hostname') }, { app: 'api' }),
      pod({ cpu: '500m' }, { app: 'cache' }),
    ];
    const next = planOf(input(beside));
    expect(next.unschedulable).toEqual([]);
    expect(next.nodes).toHaveLength(1);
  });

  it('plans constrained pods in both orders (first fit, room already paid for first) and keeps the cheaper', () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'nginx' } } },
          ],
        },
      },
    };
    const spread = (key: string, app: string) => ({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: key,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app } },
        },
      ],
    });
    const pods = [
      ...Array.from({ length: 6 }, () => pod({ cpu: '1500m', memory: '2Gi', ...anti }, { app: 'nginx' })),
      ...Array.from({ length: 8 }, () =>
        pod({ cpu: '300m', ...spread('kubernetes.io/hostname', 'h') }, { app: 'h' }),
      ),
      ...Array.from({ length: 8 }, () =>
        pod({ cpu: '700m', ...spread('topology.kubernetes.io/zone', 'z') }, { app: 'z' }),
      ),
    ];
    const both = planOf(input(pods));
    const grow = planOf(input(pods, [general()], { placement: 'grow' }));
    const room = planOf(input(pods, [general()], { placement: 'room' }));
    for (const p of [both, grow, room]) expect(p.unschedulable).toEqual([]);
    expect(both.totals.pricePerHour).toBe(Math.min(grow.totals.pricePerHour, room.totals.pricePerHour));
  });

  it('keeps apart pods whose labels a topology spread reads', () => {
    const spread = (app: string) => ({
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app } },
        },
      ],
    });
    // Six spread pods of app=db, and six unconstrained pods that the spread counts (app=db) or not.
    const pods = [
      ...Array.from({ length: 6 }, () => pod({ ...spread('db') }, { app: 'db' })),
      ...Array.from({ length: 6 }, () => pod({}, { app: 'db' })),
      ...Array.from({ length: 6 }, () => pod({}, { app: 'other' })),
    ];
    const plan = planOf(input(pods));
    expect(plan.unschedulable).toEqual([]);
  });

  it('honours node selectors and pool requirements', () => {
    const p = pool('compute', {}, [
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c'] },
    ]);
    const plan = planOf(input([pod({ nodeSelector: { 'karpenter.k8s.aws/instance-category': 'c' } })], [p]));
    expect(plan.nodes[0]?.instanceType).toBe('c6i.xlarge');
    const bad = planOf(input([pod({ nodeSelector: { 'karpenter.k8s.aws/instance-category': 'r' } })], [p]));
    expect(bad.unschedulable[0]?.reason).toContain(
      'requires karpenter.k8s.aws/instance-category in [r] but NodePool compute allows',
    );
  });

  it('keeps pods off tainted pools unless they tolerate the taint', () => {
    const gpu = pool('gpu', {}, [], [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    const plan = planOf(input([pod({})], [gpu]));
    expect(plan.unschedulable[0]?.reason).toBe(
      "does not tolerate NodePool gpu's taint nvidia.com/gpu=true:NoSchedule, whose instance types hold it (fix: add the toleration {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule})",
    );
    const ok = planOf(input([pod({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] })], [gpu]));
    expect(ok.unschedulable).toEqual([]);
  });

  it('says which resource is short on the largest type', () => {
    const plan = planOf(input([pod({ cpu: '64', memory: '1Gi' })]));
    expect(plan.unschedulable[0]?.reason).toMatch(
      /^requests \(cpu 64000m, memory 1024Mi\) exceed the largest instance type NodePool default allows: m6i.2xlarge holds cpu 7900m/,
    );
  });

  it('spreads across zones with maxSkew 1 (DoNotSchedule)', () => {
    const spread = {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
    };
    const plan = planOf(input(Array.from({ length: 6 }, () => pod(spread))));
    const zones = new Map<string, number>();
    for (const n of plan.nodes) zones.set(n.zone, (zones.get(n.zone) ?? 0) + n.pods.length);
    expect([...zones.values()]).toEqual([2, 2, 2]);
  });

  it('gives each pod with hostname anti-affinity its own node', () => {
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } },
          ],
        },
      },
    };
    const plan = planOf(
      input(Array.from({ length: 4 }, () => pod({ ...anti, cpu: '100m', memory: '128Mi' }))),
    );
    expect(plan.nodes).toHaveLength(4);
  });

  it('puts self-affine pods in one zone', () => {
    const aff = {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: 'db' } } },
          ],
        },
      },
    };
    const plan = planOf(
      input(Array.from({ length: 12 }, () => pod({ ...aff, cpu: '1500m' }, { app: 'db' }))),
    );
    expect(new Set(plan.nodes.map((n) => n.zone)).size).toBe(1);
  });

  it('stops at the pool limits and says so', () => {
    const limited = pool('small', { limits: { cpu: '4' } });
    const plan = planOf(
      input(
        Array.from({ length: 10 }, () => pod({ cpu: '1' })),
        [limited],
      ),
    );
    expect(
      plan.nodes.reduce(
        (n, x) =>
          n +
          (x.instanceType === 'm6i.xlarge' ||
          x.instanceType === 'c6i.xlarge' ||
          x.instanceType === 'r6i.xlarge'
            ? 4
            : 2),
        0,
      ),
    ).toBeLessThanOrEqual(4);
    expect(plan.unschedulable.length).toBeGreaterThan(0);
    expect(plan.unschedulable[0]?.reason).toMatch(/NodePool small is at its limits/);
  });

  // Karpenter v1.11 limits.nodes (scheduler.go addToNewNodeClaim: "node limits have been exhausted for
  // nodepool"; one node counts 1 whatever its type).
  it('stops at limits.nodes: no more new nodes than the limit, the rest unschedulable for that limit', () => {
    const limited = pool('small', { limits: { nodes: 3 } });
    const plan = planOf(
      input(
        Array.from({ length: 40 }, () => pod({ cpu: '1', memory: '1Gi' }, { app: 'spread' })),
        [limited],
      ),
    );
    expect(plan.nodes.filter((n) => !n.existing)).toHaveLength(3);
    expect(plan.unschedulable.length).toBeGreaterThan(0);
    expect(plan.unschedulable[0]?.reason).toContain(
      'NodePool small is at its limits: nodes 3 (3 launched or planned)',
    );
  });

  it('counts the pool usage already launched against limits.nodes', () => {
    const limited = pool('small', { limits: { nodes: 2 } });
    const plan = planOf({
      ...input([pod({ cpu: '1' })], [limited]),
      poolUsage: new Map([['small', { nodes: 2, cpuMillis: 4000 }]]),
    });
    expect(plan.nodes.filter((n) => !n.existing)).toHaveLength(0);
    expect(plan.unschedulable[0]?.reason).toContain('nodes 2 (2 launched or planned)');
  });

  // Karpenter v1.8 static NodePools (designs/static-capacity.md; v1.14.1 pkg/controllers/static/
  // provisioning): a pool with spec.replicas gets the nodes it lacks, empty claims of its template that
  // the fleet launches at the lowest price, within limits.nodes; pods use them as any node; none is
  // launched for pending pods beyond the count.
  describe('static NodePools (spec.replicas)', () => {
    const fixed = (spec: Partial<NodePool['spec']> = {}) =>
      pool('fixed', { replicas: 2, ...spec }, [
        { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m6i'] },
      ]);
    const held = (name: string): ExistingNode => ({
      name,
      labels: { 'karpenter.sh/nodepool': 'fixed', 'node.kubernetes.io/instance-type': 'm6i.large' },
      taints: [],
      allocatable: { ...ZERO, cpu: 1900, mem: 7000, pods: 29 },
      pods: [],
      inFlight: false,
    });

    it('plans the nodes it lacks, cheapest type, one zone after another; pods use them', () => {
      const plan = planOf(input([pod({ cpu: '1' })], [fixed()]));
      const fresh = plan.nodes.filter((n) => !n.existing);
      expect(fresh.map((n) => [n.nodePool, n.instanceType])).toEqual([
        ['fixed', 'm6i.large'],
        ['fixed', 'm6i.large'],
      ]);
      expect(new Set(fresh.map((n) => n.zone)).size).toBe(2);
      expect(fresh.flatMap((n) => n.pods)).toHaveLength(1);
      expect(plan.unschedulable).toEqual([]);
      expect(plan.totals).toMatchObject({ nodes: 2, pricePerHour: 0.192 });
    });

    it('launches nothing once it has its count, and says why a pod that fits none waits', () => {
      const plan = planOf({ ...input([pod({ cpu: '3' })], [fixed()]), nodes: [held('a'), held('b')] });
      expect(plan.nodes.filter((n) => !n.existing)).toEqual([]);
      expect(plan.unschedulable[0]?.reason).toContain('NodePool fixed is static (spec.replicas)');
    });

    it('keeps within limits.nodes, and a disruption simulation (keepStatic false) plans none', () => {
      const limited = planOf(input([], [fixed({ replicas: 3, limits: { nodes: '1' } })]));
      expect(limited.nodes.filter((n) => !n.existing)).toHaveLength(1);
      expect(planOf({ ...input([], [fixed()]), keepStatic: false }).nodes).toEqual([]);
    });
  });

  it('limits any resource the types have (here pods) as Karpenter does', () => {
    const limited = pool('small', { limits: { pods: '3' } });
    const plan = planOf(input([pod({ cpu: '1' })], [limited]));
    // Every type in the test catalog has more than 3 pod slots: none fits under the limit.
    expect(plan.unschedulable[0]?.reason).toContain('NodePool small is at its limits: pods 3');
  });

  it('prefers the heavier pool and falls back when it cannot take the pod', () => {
    const heavy = pool('preferred', { weight: 50 }, [
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['r'] },
    ]);
    const plan = planOf(input([pod({})], [general(), heavy]));
    expect(plan.nodes[0]?.nodePool).toBe('preferred');
    const fallback = planOf(
      input([pod({ nodeSelector: { 'karpenter.k8s.aws/instance-category': 'm' } })], [general(), heavy]),
    );
    expect(fallback.nodes[0]?.nodePool).toBe('default');
  });

  it('leaves room for daemonsets on every new node', () => {
    const ds = {
      name: 'kube-system/agent',
      requests: { ...ZERO, cpu: 1000, mem: 1024, pods: 1 },
      terms: [new Requirements()],
      tolerations: [],
    };
    // m6i.large holds 1900m and 7592Mi; after the daemonset, 900m and 6568Mi.
    const plan = planOf(input([pod({ cpu: '500m', memory: '5Gi' })], [general()], { daemonSets: [ds] }));
    expect(plan.nodes[0]?.instanceType).toBe('m6i.large');
    const tight = planOf(input([pod({ cpu: '1500m', memory: '5Gi' })], [general()], { daemonSets: [ds] }));
    expect(tight.nodes[0]?.instanceType).not.toBe('m6i.large');
  });

  it('counts ENI-limited pod slots', () => {
    const small = pool('burst', {}, [
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['t'] },
    ]);
    const plan = planOf(
      input(
        Array.from({ length: 12 }, () => pod({ cpu: '10m', memory: '10Mi' })),
        [small],
      ),
    );
    expect(plan.nodes).toHaveLength(2); // t3.small holds 11 pods
  });

  it('never provisions for EKS Auto Mode pools', () => {
    const auto = pool('auto');
    auto.spec.template.spec.nodeClassRef = { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' };
    const one = pod({});
    const plan = planOf(input([one], [auto]));
    expect(plan.nodes).toEqual([]);
    expect(plan.unschedulable).toEqual([]);
    expect(plan.servedByAutoMode).toEqual([{ pod: one.id, nodePool: 'auto' }]);
  });

  it('reports a pod no pool takes, Auto Mode ones included, as unschedulable', () => {
    const auto = pool('auto');
    auto.spec.template.spec.nodeClassRef = { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' };
    const plan = planOf(input([pod({ cpu: '900' })], [auto, general()]));
    expect(plan.servedByAutoMode).toEqual([]);
    expect(plan.unschedulable).toHaveLength(1);
  });

  it('plans on its own pools first and leaves to Auto Mode only what they cannot take', () => {
    const auto = pool('auto');
    auto.spec.template.spec.nodeClassRef = { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' };
    const pinned = pod({ nodeSelector: { 'eks.amazonaws.com/compute-type': 'auto' } });
    const free = pod({});
    const plan = planOf(input([pinned, free], [auto, general()]));
    expect(plan.servedByAutoMode.map((a) => a.pod)).toEqual([pinned.id]);
    expect(plan.nodes.flatMap((n) => n.pods)).toEqual([free.id]);
  });

  it('skips offerings marked short of capacity', () => {
    const i = input([pod({})], [general()], {
      unavailable: (t) => t === 'm6i.xlarge' || t === 'm6i.large',
    });
    const plan = planOf(i);
    expect(plan.nodes[0]?.instanceType).toBe('c6i.xlarge');
  });

  it('is deterministic', () => {
    seq = 0;
    const a = solve(input(Array.from({ length: 40 }, (_, k) => pod({ cpu: `${100 + k * 37}m` }))));
    seq = 0;
    const b = solve(input(Array.from({ length: 40 }, (_, k) => pod({ cpu: `${100 + k * 37}m` }))));
    expect({ ...a, totals: { ...a.totals, solveMillis: 0 } }).toEqual({
      ...b,
      totals: { ...b.totals, solveMillis: 0 },
    });
  });
});
