/**
 * The admission side of cluster mode, on every replica: the caches it answers from, denials as Events
 * (on the object and on the profile it is bound to) and the readiness checks behind /readyz.
 */
import type { Logger } from 'pino';
import type { Decision } from '../admission/admit.js';
import type { AdmissionRequest } from '../admission/review.js';
import type { InformerClusterView } from '../kube/cluster-view.js';
import type { EventSink } from '../kube/events.js';
import type { LeaderElector } from '../kube/lease.js';
import { PROFILE_LABEL } from '../policies/compile/compile.js';
import { denialMessage } from '../policies/engine.js';
import type { LivePolicies } from '../policies/live.js';
import { PROFILE_API_VERSION } from '../policies/schema/profile-schema.js';
import { policiesCheck, type Check } from '../webhook/readiness.js';
import type { Metrics } from '../observability/metrics.js';

/** Starts the watch-fed caches, each one's `berth_cache_synced` kept up to date. */
export function startCaches(view: InformerClusterView, metrics: Metrics, logger: Logger): void {
  for (const r of Object.values(view.resources))
    r.onChange(() => {
      metrics.cacheSynced.set({ resource: r.spec.kind }, r.synced ? 1 : 0);
    });
  void view.start().then(() => {
    for (const st of view.syncState()) metrics.cacheSynced.set({ resource: st.name }, st.synced ? 1 : 0);
    logger.info({ caches: view.syncState() }, 'caches listed');
  });
}

/** A refused policies.yaml is an Event on the ConfigMap it is mounted from (deploy/berth). */
export function refusedPolicyEvents(live: LivePolicies, events: EventSink, namespace: string): void {
  live.onReload((r) => {
    if (!r.applied)
      events.emit({
        involved: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'berth-policies' },
        type: 'Warning',
        reason: 'PoliciesRefused',
        message: `policies.yaml refused; the last good policy stays in force: ${r.errors.join('; ')}`,
      });
  });
}

/** Denials become Events on the object and, for a workload bound to a profile, on the profile. */
export function denialEvents(events: EventSink) {
  return (webhook: string, req: AdmissionRequest, d: Decision): void => {
    if (webhook !== 'validate' || d.response.allowed || !d.verdict) return;
    const v = d.verdict;
    const message = denialMessage(v);
    events.emit({
      involved: {
        kind: v.kind,
        namespace: v.namespace,
        name: v.name,
        apiVersion: req.object?.apiVersion,
        uid: req.object?.metadata?.uid,
      },
      type: 'Warning',
      reason: 'PolicyViolation',
      message,
    });
    const profile = req.object?.metadata?.labels?.[PROFILE_LABEL];
    if (profile !== undefined && v.kind !== 'WorkloadProfile')
      events.emit({
        involved: {
          apiVersion: PROFILE_API_VERSION,
          kind: 'WorkloadProfile',
          namespace: v.namespace,
          name: profile,
        },
        type: 'Warning',
        reason: 'WorkloadDenied',
        message,
      });
  };
}

export function readiness(view: InformerClusterView, live: LivePolicies, elector: LeaderElector): Check[] {
  const state = view.syncState();
  const pending = state.filter((s) => !s.synced);
  const notes = state.filter((s) => s.detail !== undefined).map((s) => s.detail ?? '');
  return [
    {
      name: 'caches',
      ok: pending.length === 0,
      ...(pending.length > 0
        ? { detail: `not synced yet: ${pending.map((p) => p.name).join(', ')}` }
        : notes.length > 0
          ? { detail: notes.join('; ') }
          : {}),
    },
    policiesCheck(live.refused),
    { name: 'leader', ok: true, detail: elector.leading ? 'this replica leads' : 'following' },
  ];
}
