import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { EventSpec } from '../../kube/events.js';
import type { KubeObject } from '../../kube/objects.js';
import { ownerOf, unschedulableEvents } from './unschedulable-events.js';

const pod = (name: string, owner?: { kind: string; name: string }, hash?: string): V1Pod => ({
  metadata: {
    name,
    namespace: 'apps',
    uid: `uid-${name}`,
    ...(hash !== undefined ? { labels: { 'pod-template-hash': hash } } : {}),
    ...(owner
      ? {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: owner.kind,
              name: owner.name,
              uid: `uid-${owner.name}`,
              controller: true,
            },
          ],
        }
      : {}),
  },
});
const web: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', uid: 'uid-web' },
};

describe('ownerOf', () => {
  it.each([
    [
      'a ReplicaSet pod: its Deployment',
      pod('web-5d8-x', { kind: 'ReplicaSet', name: 'web-5d8' }, '5d8'),
      'Deployment',
      'web',
      'uid-web',
    ],
    [
      'a StatefulSet pod: its StatefulSet',
      pod('db-0', { kind: 'StatefulSet', name: 'db' }),
      'StatefulSet',
      'db',
      'uid-db',
    ],
    [
      'a ReplicaSet of no cached Deployment: the ReplicaSet',
      pod('x-1-y', { kind: 'ReplicaSet', name: 'x-1' }, '1'),
      'ReplicaSet',
      'x-1',
      'uid-x-1',
    ],
    ['a bare pod: the pod', pod('solo'), 'Pod', 'solo', 'uid-solo'],
  ])('%s', (_, p, kind, name, uid) => {
    expect(ownerOf(p, [web])).toMatchObject({ kind, name, namespace: 'apps', uid });
  });
});

describe('unschedulableEvents', () => {
  it('says once per owner and reason how many of its pods wait, and on each pod why', () => {
    const events: EventSpec[] = [];
    const pods = [
      pod('web-5d8-a', { kind: 'ReplicaSet', name: 'web-5d8' }, '5d8'),
      pod('web-5d8-b', { kind: 'ReplicaSet', name: 'web-5d8' }, '5d8'),
    ];
    const why = 'NodePool e2e is at its limits (0m cpu left)';
    unschedulableEvents(
      { emit: (e) => events.push(e) },
      { pods: () => pods, workloads: () => [web] },
    )([
      { pod: 'apps/web-5d8-a', reason: why },
      { pod: 'apps/web-5d8-b', reason: why },
      { pod: 'apps/web-7', reason: why }, // only admitted so far: no pod to resolve
    ]);
    expect(events).toEqual([
      {
        involved: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'apps',
          name: 'web',
          uid: 'uid-web',
        },
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message: `2 pods waiting for a node that no NodePool can launch now: ${why}`,
      },
      ...['web-5d8-a', 'web-5d8-b'].map((name) => ({
        involved: { apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name, uid: `uid-${name}` },
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message: `no NodePool can launch a node for it: ${why}`,
      })),
    ]);
  });

  it('tells a bare pod once, and only the first pods of a large owner on themselves', () => {
    const events: EventSpec[] = [];
    const many = Array.from({ length: 8 }, (_, i) =>
      pod(`web-5d8-${i}`, { kind: 'ReplicaSet', name: 'web-5d8' }, '5d8'),
    );
    const pods = [...many, pod('solo')];
    unschedulableEvents(
      { emit: (e) => events.push(e) },
      { pods: () => pods, workloads: () => [web] },
    )(pods.map((p) => ({ pod: `apps/${p.metadata?.name ?? ''}`, reason: 'too big' })));
    const on = (kind: string) => events.filter((e) => e.involved.kind === kind).map((e) => e.involved.name);
    expect(on('Deployment')).toEqual(['web']);
    expect(on('Pod')).toEqual(['web-5d8-0', 'web-5d8-1', 'web-5d8-2', 'web-5d8-3', 'web-5d8-4', 'solo']);
    expect(events.find((e) => e.involved.name === 'solo')?.message).toBe(
      '1 pod waiting for a node that no NodePool can launch now: too big',
    );
  });
});
