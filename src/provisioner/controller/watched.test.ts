import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { WorkloadWatch } from './watched.js';

const deploy = (
  name: string,
  generation: number,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'apps', uid: `uid-${name}`, generation, ...extra },
  spec: { replicas: 3 },
});

describe('WorkloadWatch: which cache changes are demand', () => {
  it.each([
    ['a workload created after watching began', [], deploy('new', 1), 'add', 'record'],
    ['a scale (a new generation)', [deploy('web', 1)], deploy('web', 2), 'update', 'record'],
    ['a status update (same generation)', [deploy('web', 1)], deploy('web', 1), 'update', 'none'],
    ['an older generation arriving late', [deploy('web', 3)], deploy('web', 2), 'update', 'none'],
    ['what the caches held before (relisted)', [deploy('web', 1)], deploy('web', 1), 'add', 'none'],
    ['a deletion', [deploy('web', 1)], deploy('web', 1), 'delete', 'forget'],
    [
      'a workload being deleted',
      [deploy('web', 1)],
      deploy('web', 2, { deletionTimestamp: new Date('2026-11-22T00:00:00Z') }),
      'update',
      'forget',
    ],
    [
      'a kind that is not a workload',
      [],
      { kind: 'ConfigMap', metadata: { name: 'x', uid: 'c' } },
      'add',
      'none',
    ],
  ] as const)('%s', (_, existing, obj, verb, expected) => {
    const watch = new WorkloadWatch(existing);
    const change = watch.change(obj, verb);
    const got = change === undefined ? 'none' : 'record' in change ? 'record' : 'forget';
    expect(got).toBe(expected);
  });

  it('records a workload recreated under the same name after its deletion', () => {
    const watch = new WorkloadWatch([deploy('web', 4)]);
    expect(watch.change(deploy('web', 4), 'delete')).toEqual({ forget: deploy('web', 4) });
    const again = deploy('web', 1, { uid: 'uid-web-2' });
    expect(watch.change(again, 'add')).toEqual({ record: again });
  });
});
