/**
 * `berth serve --local`: the cluster view from files, as `berth check` builds it, and the provisioner
 * on the simulated cloud with its nodes in memory (what it buys shows in the log and in /metrics).
 */
import type { V1Node } from '@kubernetes/client-node';
import { dailyToday, todayOf } from '../policies/engine.js';
import { admittedView } from '../policies/offline.js';
import { StaticClusterView } from '../policies/view.js';
import { SimulatedCloud } from '../provisioner/cloud/simulated.js';
import type { WebhookDeps } from '../webhook/app.js';
import { policiesCheck } from '../webhook/readiness.js';
import { startWebhook, type Running } from '../webhook/server.js';
import { loadObjects } from '../inputs/objects.js';
import { joinTimeoutMs, nodeClassOf, solverHeapMiB, solverNice } from './cloud-flags.js';
import { LocalProvisioning } from './duties/local-provisioning.js';
import { solverThread } from './duties/provisioning-wiring.js';
import type { ServeStart } from './options.js';
import { BadInput } from '../inputs/bad-input.js';
import type { Session } from '../inputs/session.js';
import { count } from '../util/canonical.js';

/** The objects of the files as `berth check` admits them: compiled workloads, generated PDBs. */
export function localView(paths: readonly string[], session: Session, today: string): StaticClusterView {
  const loaded = loadObjects(paths);
  if (!loaded.ok) throw new BadInput(loaded.errors);
  return admittedView({ ...session, objects: loaded.objects.map((o) => o.object), today });
}

export async function startLocal(s: ServeStart): Promise<{ running: Running; stop: () => Promise<void> }> {
  const { opts, session, live, base, io } = s;
  const view = localView(
    opts.file ?? [],
    session,
    todayOf(() => io.clock()),
  );
  if (opts.cloud !== undefined && opts.cloud !== 'simulated')
    throw new Error(`--local provisions on the simulated cloud only (got --cloud ${opts.cloud})`);
  const nodes = new Map<string, V1Node>();
  const cloud = new SimulatedCloud({
    catalog: session.catalog,
    clock: () => io.clock(),
    register: (n) => {
      nodes.set(n.metadata?.name ?? '', n);
      return Promise.resolve();
    },
    deregister: (name) => {
      nodes.delete(name);
      return Promise.resolve();
    },
  });
  const provisioning = new LocalProvisioning(
    {
      cloud,
      view,
      live,
      catalog: () => session.catalog,
      logger: base.logger.child({ component: 'provisioner' }),
      metrics: base.metrics,
      joinTimeoutMs: joinTimeoutMs(opts.nodeJoinTimeout),
      nodeClassOf: nodeClassOf(() => view.nodePools),
      planner: solverThread(solverHeapMiB(opts.solverHeapMb), solverNice(opts.solverNice)),
    },
    () => [...nodes.values()],
  );
  const today = dailyToday(() => io.clock());
  const deps: WebhookDeps = {
    ...base,
    context: () => ({ view, policies: live.current, today: today() }),
    checks: () => [
      { name: 'cache', ok: true, detail: `local files (${opts.file?.length ?? 0} paths)` },
      policiesCheck(live.refused),
      { name: 'provisioner', ok: true, detail: `simulated cloud, ${count(nodes.size, 'node')}` },
    ],
    onDecision: (webhook, req, d) => {
      provisioning.admitted(webhook, req, d);
    },
  };
  const running = await startWebhook(deps, s.listen, base.logger);
  provisioning.loop.start();
  return {
    running,
    stop: () => provisioning.stop(),
  };
}
