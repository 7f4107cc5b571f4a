/**
 * Cluster mode's servers, on every replica: the serving certificate first (self-install.ts), then the
 * webhook's HTTPS server and the scheduling gate's thread, answering from the caches; once /readyz
 * passes, the webhook configurations are registered. Composed by cluster.ts.
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { AdmissionContext } from '../admission/admit.js';
import type { InformerClusterView } from '../kube/cluster-view.js';
import type { EventSink } from '../kube/events.js';
import type { LeaderElector } from '../kube/lease.js';
import type { LivePolicies } from '../policies/live.js';
import type { WebhookDeps } from '../webhook/app.js';
import { gateCheck, startGate, withGate, type GateThread } from '../webhook/gate-thread.js';
import { startWebhook, type Running } from '../webhook/server.js';
import { denialEvents, readiness } from './cluster-admission.js';
import { mainNice, yieldWhenOn } from './main-nice.js';
import { tlsDirOf, type ServeStart } from './options.js';
import { selfInstalled, type SelfInstall } from './self-install.js';
import type { GateMechanism } from './gate-mechanism.js';

export interface ClusterServersDeps {
  start: ServeStart;
  api: KubernetesObjectApi;
  view: InformerClusterView;
  live: LivePolicies;
  elector: LeaderElector;
  events: EventSink;
  context: () => AdmissionContext;
  /** Whether the leader announces that new pods are gated by the gate webhook (/gate gates them). */
  gatesAnnounced: () => boolean;
  /** Whether new pods are gated, by the webhook or the API server's policy: the main thread yields. */
  gating: () => boolean;
  /** How new pods are gated: the gate webhook is registered only when it is the webhook. */
  gateBy: GateMechanism;
  /** After each answered decision: the provisioner hears of admitted workloads. */
  admitted: NonNullable<WebhookDeps['onDecision']>;
}

export async function startClusterServers(
  d: ClusterServersDeps,
): Promise<{ running: Running; install: SelfInstall }> {
  const { opts, base, listen, io } = d.start;
  const ports = { main: listen.port, gate: listen.gatePort };
  const tlsDir = tlsDirOf(opts);
  const install = await selfInstalled({
    opts,
    api: d.api,
    live: d.live,
    tlsDir,
    ports,
    gateBy: d.gateBy,
    clock: () => io.clock(),
    logger: base.logger,
  });
  // The scheduling gate's own server (--gate-port), once started below; /readyz reports on it.
  let gate: GateThread | undefined = undefined;
  const denials = denialEvents(d.events);
  const deps: WebhookDeps = {
    ...base,
    context: d.context,
    checks: () => [...readiness(d.view, d.live, d.elector), ...(gate ? [gateCheck(gate)] : [])],
    onDecision: (webhook, req, decision) => {
      denials(webhook, req, decision);
      d.admitted(webhook, req, decision);
    },
  };
  const main = await startWebhook(deps, listen, base.logger);
  // Once gates are first on (by either way), the main thread yields the CPU (main-nice.ts); the
  // gate's thread gates only while the webhook is the gate. It asks every 100 ms.
  const lower = yieldWhenOn(d.gating, mainNice(opts.mainNice), base.logger);
  const on = () => {
    lower();
    return d.gatesAnnounced();
  };
  gate = await startGate(main, listen, { ...base, on });
  install.afterReady(() => deps.checks().every((c) => c.ok));
  return { running: withGate(main, gate), install };
}
