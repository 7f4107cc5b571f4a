import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { LifecycleObserver } from './lifecycle-observer.js';
import { Metrics } from './metrics.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

const claim = (name: string, registered: boolean, deletion?: number): KubeObject => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodeClaim',
  metadata: {
    name,
    labels: {
      'karpenter.sh/nodepool': 'general',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'karpenter.sh/capacity-type': 'spot',
    },
    ...(deletion !== undefined ? { deletionTimestamp: new Date(at(deletion)) } : {}),
  },
  status: { conditions: registered ? [{ type: 'Registered', status: 'True' }] : [] },
});

async function value(
  m: Metrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  // Histograms and summaries list their _count and _sum under the metric's own name.
  const values = (await m.registry.getMetricsAsJSON()).flatMap((x) =>
    x.values.map((v) => ({ ...v, series: (v as { metricName?: string }).metricName ?? x.name })),
  );
  return values.find(
    (v) => v.series === name && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  )?.value;
}

describe('LifecycleObserver: NodeClaims', () => {
  it('counts claims registered after the cache listed, and terminated with their duration', async () => {
    const m = new Metrics({ defaults: false });
    let now = T0;
    const o = new LifecycleObserver(m, () => now);
    o.claim(claim('old', true), 'add', false);
    o.claim(claim('c1', false), 'add', true);
    o.claim(claim('c1', true), 'update', true);
    o.claim(claim('c1', true), 'update', true);
    now = T0 + 45_000;
    o.claim(claim('c1', true, 15), 'delete', true);
    o.claim(claim('never-joined', false), 'delete', true);
    // Claims created are the launcher's to count (it knows why: provisioned, or a disruption reason).
    expect(await value(m, 'karpenter_nodeclaims_created_total')).toBeUndefined();
    expect(await value(m, 'karpenter_nodes_created_total', { nodepool: 'general', zone: 'us-east-1a' })).toBe(
      1,
    );
    expect(await value(m, 'karpenter_nodeclaims_terminated_total', { capacity_type: 'spot' })).toBe(2);
    expect(await value(m, 'karpenter_nodes_terminated_total', { nodepool: 'general' })).toBe(1);
    expect(await value(m, 'karpenter_nodes_termination_duration_seconds', { quantile: '0.5' })).toBe(30);
  });
});

describe('LifecycleObserver: pods', () => {
  const node: V1Node = {
    metadata: { name: 'n1', labels: { 'karpenter.sh/nodepool': 'general' } },
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(at(40)) }] },
  };
  const pod = (name: string, created: number, ready?: number): V1Pod => ({
    metadata: { name, namespace: 'shop', uid: name, creationTimestamp: new Date(at(created)) },
    spec: { nodeName: 'n1', containers: [] },
    status: {
      conditions:
        ready === undefined
          ? []
          : [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(at(ready)) }],
    },
  });

  it("observes startup once per pod, and the provisioning stages of a pod that waited for Berth's node", async () => {
    const m = new Metrics({ defaults: false });
    const o = new LifecycleObserver(m, () => T0 + 60_000);
    const nodeOf = (n: string) => (n === 'n1' ? node : undefined);
    o.pod(pod('waited', 0), 'add', true, nodeOf);
    o.pod(pod('waited', 0, 50), 'update', true, nodeOf);
    o.pod(pod('waited', 0, 50), 'update', true, nodeOf);
    o.pod(pod('later', 45, 47), 'update', true, nodeOf);
    o.pod(pod('listed', 0, 10), 'add', false, nodeOf);
    expect(await value(m, 'karpenter_pods_startup_duration_seconds_count')).toBe(2);
    expect(await value(m, 'karpenter_pods_startup_duration_seconds', { quantile: '1' })).toBe(50);
    expect(
      await value(m, 'berth_pod_provisioning_duration_seconds_sum', { stage: 'pending_to_node_ready' }),
    ).toBe(40);
    expect(
      await value(m, 'berth_pod_provisioning_duration_seconds_sum', { stage: 'node_ready_to_running' }),
    ).toBe(10);
    expect(
      await value(m, 'berth_pod_provisioning_duration_seconds_count', { stage: 'pending_to_running' }),
    ).toBe(1);
  });

  it('takes a Ready condition written without its transition time (null from the API) as Ready when seen', async () => {
    const m = new Metrics({ defaults: false });
    const o = new LifecycleObserver(m, () => T0 + 30_000);
    const p = pod('patched', 0);
    p.status = {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: null as unknown as Date }],
    };
    o.pod(p, 'update', true, () => undefined);
    expect(await value(m, 'karpenter_pods_startup_duration_seconds', { quantile: '1' })).toBe(30);
  });
});
