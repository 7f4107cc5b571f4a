import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import type { KubeObject } from '../../kube/objects.js';
import { pools } from '../../../test/support/disruption-cluster.js';
import { planConsolidation } from './consolidation.js';
import { clusterObjects } from './objects.js';

const template = {
  apiVersion: 'v1',
  kind: 'PodTemplate',
  metadata: { name: 'chunk', namespace: 'shop' },
  template: {
    spec: {
      containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '1', memory: '2Gi' } } }],
    },
  },
} as KubeObject;
const buffer = (replicas: number) =>
  ({
    apiVersion: 'autoscaling.x-k8s.io/v1beta1',
    kind: 'CapacityBuffer',
    metadata: { name: 'headroom', namespace: 'shop' },
    spec: { podTemplateRef: { name: 'chunk' }, replicas },
  }) as KubeObject;

// A full m6i.xlarge and an empty one: emptiness removes the empty one, unless a CapacityBuffer's chunks
// need its room (they are pods on their way, as the leader sees them).
function plan(objects: KubeObject[]) {
  const cluster = [
    node('full'),
    node('spare'),
    pod('big', 'full', { cpu: '3500m', memory: '12Gi' }),
  ] as KubeObject[];
  return planConsolidation({
    ...clusterObjects([...cluster, ...objects]),
    pools,
    daemonSets: [],
    catalog: builtinCatalog(),
    now: new Date('2026-11-27T12:00:00Z'),
    spotToSpot: false,
  });
}

describe('consolidation keeps a CapacityBuffer’s room', () => {
  it('without a buffer, the empty node goes', () => {
    expect(plan([]).decisions.flatMap((d) => d.remove)).toContain('spare');
  });

  it('with two chunks that fit only there, it stays', () => {
    const p = plan([template, buffer(2)]);
    expect(p.decisions.flatMap((d) => d.remove)).not.toContain('spare');
    expect(p.after.nodes.map((n) => n.name)).toContain('spare');
  });

  it('with chunks that fit beside the full node’s pod, the empty node still goes', () => {
    const small = {
      ...template,
      template: {
        spec: {
          containers: [
            { name: 'c', image: 'pause', resources: { requests: { cpu: '100m', memory: '256Mi' } } },
          ],
        },
      },
    } as KubeObject;
    expect(plan([small, buffer(2)]).decisions.flatMap((d) => d.remove)).toContain('spare');
  });
});
