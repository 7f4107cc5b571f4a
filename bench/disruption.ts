/**
 * npm run bench:disruption — a whole-cluster consolidation plan on the real catalog: 1,000 nodes of the
 * general NodePool (m6i/c6i/r6i, 2xlarge and 4xlarge, three zones) running 10,000 pods of mixed shapes
 * from 200 Deployments, each with a PDB (maxUnavailable 1), a third of the nodes under 40% used. The
 * default budget (10% of the pool's nodes) applies. Prints the time to the first decision and to the
 * full plan, $/h before and after against the LP lower bound of the running pods, decisions by method,
 * and heap. Goals: a decision in under 1 s at 1,000 nodes; cost after ≤ 1.10× the lower bound.
 * Options: --nodes N, --pods N, --decisions N (stop after N decisions), --json.
 */
import { parseArgs } from 'node:util';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { builtinCatalog } from '../src/catalog/catalog.js';
import { nodeObjectFor } from '../src/provisioner/cloud/node-object.js';
import { providerIdOf } from '../src/provisioner/cloud/provider.js';
import { planConsolidation } from '../src/provisioner/disruption/consolidation.js';
import { asPending } from '../src/provisioner/disruption/simulate.js';
import { lowerBound } from '../src/provisioner/solver/bound.js';
import { SolverState } from '../src/provisioner/solver/state.js';
import type { SolverPod } from '../src/provisioner/solver/model.js';
import type { PDB } from '../src/policies/view.js';
import { poolView, type NodePool } from '../src/scheduling/nodepool.js';
import { loadObjects } from '../src/inputs/objects.js';
import { defaultNodePoolsPath } from '../src/inputs/session.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    decisions: { type: 'string', default: '100000' },
    json: { type: 'boolean', default: false },
  },
});
const nodeCount = Number(values.nodes);
const podCount = Number(values.pods);
const catalog = builtinCatalog();
const loaded = loadObjects([defaultNodePoolsPath()]);
if (!loaded.ok) throw new Error('cannot load the default NodePools');
const general = loaded.objects.find((o) => o.object.metadata?.name === 'berth-general')
  ?.object as unknown as NodePool;
const pools = [poolView(general)];

let seed = 42;
const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const TYPES = ['m6i.2xlarge', 'm6i.4xlarge', 'c6i.2xlarge', 'c6i.4xlarge', 'r6i.2xlarge', 'r6i.4xlarge'];
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const SHAPES = [
  { cpu: 250, mem: 512 },
  { cpu: 500, mem: 1024 },
  { cpu: 1000, mem: 2048 },
  { cpu: 1000, mem: 4096 },
  { cpu: 2000, mem: 4096 },
  { cpu: 250, mem: 2048 },
];
const APPS = 200;

function makeNode(i: number): V1Node {
  const type = catalog.byName(TYPES[i % TYPES.length] ?? '');
  if (!type) throw new Error('unknown type');
  const name = `ip-10-0-${Math.floor(i / 250)}-${i % 250}`;
  const zone = ZONES[i % 3] ?? '';
  const id = `i-${i}`;
  return nodeObjectFor(
    {
      id,
      claim: name,
      nodePool: 'berth-general',
      instanceType: type.name,
      zone,
      capacityType: 'on-demand',
      providerId: providerIdOf(zone, id),
      launchedAt: new Date(0),
    },
    {
      claim: name,
      nodePool: 'berth-general',
      nodeClass: 'default',
      capacityType: 'on-demand',
      instanceTypes: [type.name],
      zones: [zone],
      labels: { 'berth.dev/runtime-class': 'general' },
      taints: [],
    },
    type,
    catalog.region,
  );
}

function makePod(n: number, node: string, shape: { cpu: number; mem: number }): V1Pod {
  const app = `app-${n % APPS}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${n}`,
      namespace: 'prod',
      labels: { app },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: app, uid: app, controller: true }],
    },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'c',
          image: 'app:1',
          resources: { requests: { cpu: `${shape.cpu}m`, memory: `${shape.mem}Mi` } },
        },
      ],
    },
  };
}

/** Fills node i to about `target` of its CPU (a third of the nodes under 40%, the rest near 80%). */
function fill(): { nodes: V1Node[]; pods: V1Pod[] } {
  const nodes = Array.from({ length: nodeCount }, (_, i) => makeNode(i));
  const pods: V1Pod[] = [];
  let n = 0;
  for (const [i, node] of nodes.entries()) {
    const a = catalog.byName(node.metadata?.labels?.['node.kubernetes.io/instance-type'] ?? '')?.allocatable;
    if (!a) continue;
    const target = i % 3 === 0 ? 0.15 + rand() * 0.2 : 0.7 + rand() * 0.15;
    let cpu = 0;
    let mem = 0;
    while (n < podCount) {
      const s = SHAPES[Math.floor(rand() * SHAPES.length)] ?? { cpu: 250, mem: 512 };
      if (cpu + s.cpu > a.cpuMillis * target || mem + s.mem > a.memoryMiB * 0.9) break;
      cpu += s.cpu;
      mem += s.mem;
      pods.push(makePod(n++, node.metadata?.name ?? '', s));
    }
  }
  return { nodes, pods };
}

const { nodes, pods } = fill();
const pdbs: PDB[] = Array.from({ length: APPS }, (_, i) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: `app-${i}`, namespace: 'prod' },
  spec: { maxUnavailable: 1, selector: { matchLabels: { app: `app-${i}` } } },
}));
const pending = pods.map(asPending).filter((p): p is SolverPod => p !== undefined);
const bound = lowerBound(
  new SolverState({ pods: pending, nodes: [], pools, daemonSets: [], catalog }),
  pending,
);

const plan = planConsolidation({
  nodes,
  pods,
  pdbs,
  pools,
  daemonSets: [],
  catalog,
  now: new Date(),
  spotToSpot: false,
  maxDecisions: Number(values.decisions),
});
globalThis.gc?.();
const methods: Record<string, number> = {};
for (const d of plan.decisions) methods[d.method] = (methods[d.method] ?? 0) + 1;
const out = {
  nodes: nodes.length,
  pods: pods.length,
  firstDecisionMs: Math.round(plan.millis.firstDecision ?? Number.NaN),
  fullPlanMs: Math.round(plan.millis.total),
  decisions: plan.decisions.length,
  methods,
  nodesAfter: plan.after.nodes.length,
  pricePerHourBefore: plan.before.pricePerHour,
  pricePerHourAfter: plan.after.pricePerHour,
  lowerBound: Math.round(bound * 1e4) / 1e4,
  afterOverBound: Math.round((plan.after.pricePerHour / bound) * 1000) / 1000,
  beforeOverBound: Math.round((plan.before.pricePerHour / bound) * 1000) / 1000,
  heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  node: process.version,
};
if (values.json) console.log(JSON.stringify(out));
else {
  console.log(
    `bench:disruption — consolidation of ${out.nodes} nodes running ${out.pods} pods (general NodePool, budget 10%)`,
  );
  console.log(`  first decision     ${out.firstDecisionMs} ms   (goal < 1,000 ms)`);
  console.log(
    `  plan               ${out.fullPlanMs} ms for ${out.decisions} decisions ${JSON.stringify(out.methods)}${out.decisions >= Number(values.decisions) ? ` (stopped at --decisions ${values.decisions})` : ' (complete: no decision left)'}`,
  );
  console.log(
    `  $/h                ${out.pricePerHourBefore} → ${out.pricePerHourAfter}; LP lower bound ${out.lowerBound}`,
  );
  console.log(
    `  after / bound      ${out.afterOverBound}×   (goal ≤ 1.10×; before: ${out.beforeOverBound}×)`,
  );
  console.log(
    `  nodes              ${out.nodes} → ${out.nodesAfter}; heap ${out.heapUsedMiB} MiB; ${out.node}`,
  );
}
