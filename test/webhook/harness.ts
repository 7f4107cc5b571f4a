/** Shared by the webhook tests: real AdmissionReview bodies and an app over the examples. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { parse } from 'yaml';
import type { AdmissionRequest, Operation } from '../../src/admission/review.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { Metrics } from '../../src/observability/metrics.js';
import { defaultPolicies, loadPolicies, type Policies } from '../../src/policies/policies.js';
import { StaticClusterView } from '../../src/policies/view.js';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { loadObjects } from '../../src/inputs/objects.js';
import { defaultNodePoolsPath } from '../../src/inputs/session.js';
import { createApp, type WebhookDeps } from '../../src/webhook/app.js';

const GROUPS: Record<string, [string, string, string]> = {
  Deployment: ['apps', 'v1', 'deployments'],
  StatefulSet: ['apps', 'v1', 'statefulsets'],
  PodDisruptionBudget: ['policy', 'v1', 'poddisruptionbudgets'],
  HorizontalPodAutoscaler: ['autoscaling', 'v2', 'horizontalpodautoscalers'],
  WorkloadProfile: ['berth.dev', 'v1alpha1', 'workloadprofiles'],
  Pod: ['', 'v1', 'pods'],
  ConfigMap: ['', 'v1', 'configmaps'],
  Scale: ['autoscaling', 'v1', 'deployments'],
};

export interface ReviewOptions {
  oldObject?: KubeObject;
  dryRun?: boolean;
  subResource?: string;
  uid?: string;
}

export function review(operation: Operation, object: KubeObject | undefined, o: ReviewOptions = {}) {
  const kind = object?.kind ?? o.oldObject?.kind ?? 'Deployment';
  const [group, version, resource] = GROUPS[kind] ?? ['', 'v1', `${kind.toLowerCase()}s`];
  const meta = object?.metadata ?? o.oldObject?.metadata;
  const request: AdmissionRequest = {
    uid: o.uid ?? randomUUID(),
    kind: { group, version, kind },
    resource: { group, version, resource },
    operation,
    object: operation === 'DELETE' ? null : (object ?? null),
    oldObject: o.oldObject ?? null,
    dryRun: o.dryRun ?? false,
    userInfo: { username: 'test' },
    ...(meta?.name === undefined ? {} : { name: meta.name }),
    ...(meta?.namespace === undefined ? {} : { namespace: meta.namespace }),
    ...(o.subResource === undefined ? {} : { subResource: o.subResource }),
  };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

export function yamlObject(text: string): KubeObject {
  return parse(text) as KubeObject;
}

/** A bare pod, as a ReplicaSet creates one: what the scheduling gate gates. */
export const webPod = (): KubeObject =>
  yamlObject(`
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop }
spec: { containers: [{ name: app, image: nginx }] }
`);

export function examplesView(extra: KubeObject[] = []): StaticClusterView {
  const pools = loadObjects([defaultNodePoolsPath()]);
  const ex = loadObjects(['examples']);
  if (!pools.ok || !ex.ok) throw new Error('examples do not load');
  return new StaticClusterView(
    builtinCatalog(),
    [...pools.objects, ...ex.objects].map((o) => o.object).concat(extra),
  );
}

export function policiesFrom(text?: string): Policies {
  if (text === undefined) return defaultPolicies();
  const loaded = loadPolicies(text, 'test-policies.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return loaded.policies;
}

export function testDeps(
  over: Partial<WebhookDeps> & { view?: StaticClusterView; policies?: Policies } = {},
): WebhookDeps {
  const view = over.view ?? examplesView();
  const policies = over.policies ?? defaultPolicies();
  return {
    context: () => ({ view, policies, today: '2026-11-21' }),
    checks: () => [{ name: 'cache', ok: true }],
    metrics: new Metrics({ defaults: false }),
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    deadlineMs: 4000,
    failOpen: false,
    ...over,
  };
}

export function testApp(over: Parameters<typeof testDeps>[0] = {}) {
  const deps = testDeps(over);
  return { app: createApp(deps), deps };
}
