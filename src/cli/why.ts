/**
 * `berth why KIND NAME`: the answer from the cluster (read-only lists) or from a dump (-f), as text or
 * JSON; exit 0 when answered, 2 for bad input or an object that is not there.
 */
import { openSession } from '../inputs/session.js';
import { regionNotice, type RegionOptions } from '../inputs/region.js';
import { zonesNamed } from '../inputs/zones-named.js';
import { readObjects } from '../inputs/session.js';
import { loadKubeConfig } from '../kube/client.js';
import type { CliIO } from '../util/io.js';
import { renderAnswer, type WhyAnswer } from '../why/answer.js';
import { clusterObjects } from '../why/cluster-source.js';
import { whyNode } from '../why/node.js';
import { whyNodeClaim } from '../why/nodeclaim.js';
import { whyNodePool } from '../why/nodepool.js';
import { whyPod } from '../why/pod.js';
import { dumpTime, worldOf, type WhyWorld } from '../why/world.js';
import type { KubeObject } from '../kube/objects.js';

export interface WhyOpts extends RegionOptions {
  file?: string[];
  namespace: string;
  kubeconfig?: string;
  catalog?: string;
  policies?: string;
  output: string;
  /** Judge as of this time (ISO 8601). */
  at?: string;
}

const KINDS: Record<string, 'pod' | 'node' | 'nodeclaim' | 'nodepool'> = {
  pod: 'pod',
  pods: 'pod',
  po: 'pod',
  node: 'node',
  nodes: 'node',
  no: 'node',
  nodeclaim: 'nodeclaim',
  nodeclaims: 'nodeclaim',
  nodepool: 'nodepool',
  nodepools: 'nodepool',
};

/** The answer for one object of the world. */
export function answer(w: WhyWorld, kind: string, name: string, namespace: string): WhyAnswer {
  const k = KINDS[kind.toLowerCase()];
  if (k === undefined) throw new Error(`berth why takes pod, node, nodeclaim or nodepool (got ${kind})`);
  if (k === 'node') return whyNode(w, name);
  if (k === 'nodeclaim') return whyNodeClaim(w, name);
  if (k === 'nodepool') return whyNodePool(w, name);
  const slash = name.indexOf('/');
  return slash < 0 ? whyPod(w, namespace, name) : whyPod(w, name.slice(0, slash), name.slice(slash + 1));
}

async function objectsOf(opts: WhyOpts): Promise<{ objects: KubeObject[]; source: string }> {
  if (opts.file !== undefined) {
    const { objects } = readObjects(opts.file);
    return { objects: objects.map((o) => o.object), source: `the dump ${opts.file.join(', ')}` };
  }
  const kc = loadKubeConfig(opts.kubeconfig);
  const objects = await clusterObjects(kc);
  return { objects, source: `the cluster ${kc.getCurrentCluster()?.server ?? ''}` };
}

/** --at, else offline the dump's own time, else now. */
function timeOf(opts: WhyOpts, objects: readonly KubeObject[], io: CliIO): Date {
  if (opts.at !== undefined) {
    const at = new Date(opts.at);
    if (Number.isNaN(at.getTime()))
      throw new Error(`--at must be a time such as 2026-11-27T12:00:00Z (got ${opts.at})`);
    return at;
  }
  return (opts.file !== undefined ? dumpTime(objects) : undefined) ?? io.clock();
}

export async function whyAction(kind: string, name: string, opts: WhyOpts, io: CliIO): Promise<void> {
  if (opts.output !== 'table' && opts.output !== 'json')
    throw new Error(`-o must be table or json (got ${opts.output})`);
  if (KINDS[kind.toLowerCase()] === undefined)
    throw new Error(`berth why takes pod, node, nodeclaim or nodepool (got ${kind})`);
  const { objects, source } = await objectsOf(opts);
  const session = openSession(opts, zonesNamed(objects));
  io.err(regionNotice(session.catalog));
  const now = timeOf(opts, objects, io);
  const world = worldOf(objects, {
    catalog: session.catalog,
    now,
    defaultConsolidateAfterMs: session.policies.consolidation.consolidateAfterSeconds * 1000,
    spotToSpot: session.policies.spotToSpot,
    minSavings: (pool) => session.policies.minSavings(pool),
    surgeFirst: (cls) => session.policies.surgeFirst(cls),
    source,
  });
  const a = answer(world, kind, name, opts.namespace);
  const asOf = now.toISOString();
  io.out(
    opts.output === 'json'
      ? `${JSON.stringify({ ...a, asOf, source }, null, 2)}\n`
      : `${renderAnswer(a, now)}\n(as of ${asOf}, from ${source})\n`,
  );
  io.exit(0);
}
