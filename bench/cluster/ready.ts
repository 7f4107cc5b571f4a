/**
 * The `ready` side of `npm run bench:cluster`: no provisioner at all. Before the first scale-out, the
 * harness creates as many Nodes as Berth's offline plan buys for that step, in the plan's zones, each
 * of the largest type the plan uses, and waits for kwok to make them Ready. The step then times
 * kube-scheduler binding the pods and kwok running them, with no launch to wait for, no webhook on
 * the pods' way and no fit to find: the floor of this control plane and machine, which no
 * provisioner's time to all Running can beat.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Catalog } from '../../src/catalog/catalog.js';
import type { InstanceType } from '../../src/catalog/instance-type.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { kwokNode } from '../../src/operator/registrar.js';
import { nodeObjectFor } from '../../src/provisioner/cloud/node-object.js';
import { providerIdOf } from '../../src/provisioner/cloud/provider.js';
import { solverInputOf } from '../../src/provisioner/input/plan-input.js';
import type { Plan } from '../../src/provisioner/solver/model.js';
import { solve } from '../../src/provisioner/solver/solve.js';
import type { NodePool } from '../../src/scheduling/nodepool.js';
import type { ControlPlane } from '../../test/e2e/control-plane.js';
import { kubectlWith } from '../../test/e2e/harness.js';
import { berthPerfPool, deploymentOf, NAMESPACE, type Deploy } from '../../test/support/perf-workloads.js';
import type { Side } from './sides.js';

/** Berth's offline plan for these Deployments on its perf pool, from an empty cluster. */
export function offlinePlan(deploys: ReadonlyMap<string, Deploy>, catalog: Catalog): Plan {
  const objects: KubeObject[] = [...deploys.values()].map(deploymentOf);
  const input = solverInputOf({
    objects,
    cluster: [],
    nodePools: [berthPerfPool() as NodePool],
    catalog,
    defaultNamespace: NAMESPACE,
  });
  return solve({ ...input, budgetMillis: 2000 });
}

/** The type with the most allocatable CPU (then memory) among those the plan buys. */
function largestUsed(plan: Plan, catalog: Catalog): InstanceType {
  const used = [...new Set(plan.nodes.map((n) => n.instanceType))].flatMap((t) => catalog.byName(t) ?? []);
  const [first, ...rest] = used;
  if (!first) throw new Error('the offline plan buys no node');
  const size = (t: InstanceType) => [t.allocatable.cpuMillis, t.allocatable.memoryMiB] as const;
  return rest.reduce((best, t) => {
    const [c, m] = size(t);
    const [bc, bm] = size(best);
    return c > bc || (c === bc && m > bm) ? t : best;
  }, first);
}

/**
 * One Node per node of the plan: its name, zone, capacity type and pool labels, but the largest type
 * the plan uses, so that any pod fits wherever kube-scheduler puts it. The Node Berth's simulated
 * cloud registers (nodeObjectFor), as kwok manages it (kwokNode: annotated, its conditions left to
 * kwok).
 */
export function readyNodes(plan: Plan, catalog: Catalog): V1Node[] {
  const type = largestUsed(plan, catalog);
  return plan.nodes
    .filter((n) => !n.existing)
    .map((n) => {
      const claim = `ready-${n.name}`;
      const id = `i-${claim}`;
      const instance = {
        id,
        claim,
        nodePool: n.nodePool,
        instanceType: type.name,
        zone: n.zone,
        capacityType: n.capacityType,
        providerId: providerIdOf(n.zone, id),
        launchedAt: new Date(),
      };
      const req = {
        claim,
        nodePool: n.nodePool,
        nodeClass: '',
        capacityType: n.capacityType,
        instanceTypes: [type.name],
        zones: [n.zone],
        labels: n.labels,
        taints: n.taints,
      };
      return kwokNode(nodeObjectFor(instance, req, type, catalog.region));
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The names of the Nodes not Ready yet. */
function notReady(kubectl: ReturnType<typeof kubectlWith>): string[] {
  const r = kubectl(['get', 'nodes', '-o', 'json']);
  if (r.code !== 0) throw new Error(`listing the ready Nodes: ${r.stderr.trim()}`);
  const nodes = (JSON.parse(r.stdout) as { items: V1Node[] }).items;
  return nodes
    .filter((n) => !(n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata?.name ?? '');
}

/**
 * Creates the ready Nodes of the first scale-out's offline plan and waits for kwok to make every one
 * Ready. kwok once left part of a burst of new Nodes alone; a Node still not Ready after 15 s is
 * touched (an annotation), which plays its stage again.
 */
export async function startReadySide(
  cp: ControlPlane,
  plan: Plan,
  catalog: Catalog,
  log: (s: string) => void,
): Promise<Side> {
  const kubectl = kubectlWith(cp.kubeconfig);
  const nodes = readyNodes(plan, catalog);
  const list = { apiVersion: 'v1', kind: 'List', items: nodes };
  const created = kubectl(['create', '-f', '-'], JSON.stringify(list));
  if (created.code !== 0) throw new Error(`creating the ready Nodes: ${created.stderr.trim()}`);
  const start = Date.now();
  let touched = start;
  for (let waiting = notReady(kubectl); waiting.length > 0; waiting = notReady(kubectl)) {
    if (Date.now() - start > 300_000) throw new Error(`${waiting.length} ready Nodes not Ready in 5 minutes`);
    if (Date.now() - touched > 15_000) {
      log(`ready side: ${waiting.length} of ${nodes.length} Nodes not Ready; touching them`);
      for (const name of waiting)
        kubectl(['annotate', 'node', name, '--overwrite', `berth.dev/bench-touch=${Date.now()}`]);
      touched = Date.now();
    }
    await sleep(1000);
  }
  log(`ready side: ${nodes.length} Nodes Ready in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return { name: 'ready', pid: undefined, pool: {}, stop: () => Promise.resolve() };
}
