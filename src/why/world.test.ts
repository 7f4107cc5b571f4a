import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import type { KubeObject } from '../kube/objects.js';
import { dumpTime, eventsOf, worldOf } from './world.js';

const settings = {
  catalog: builtinCatalog(),
  now: new Date('2026-11-27T12:00:00Z'),
  defaultConsolidateAfterMs: 0,
  spotToSpot: false,
  source: 'a test',
};
const pool = (name: string, weight: number): KubeObject => ({
  kind: 'NodePool',
  metadata: { name },
  spec: {
    weight,
    template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'x' } } },
  },
});
const event = (name: string, at: string, reason = 'R'): KubeObject => ({
  kind: 'Event',
  metadata: { name: `${name}.${reason}`, namespace: 'shop' },
  involvedObject: { kind: 'Pod', name, namespace: 'shop' },
  reason,
  lastTimestamp: at,
});

describe('worldOf', () => {
  it('keeps each object once, a later one in the place of an earlier one; other kinds are left out', () => {
    const w = worldOf(
      [pool('a', 1), pool('b', 1), { kind: 'Deployment', metadata: { name: 'web' } }, pool('a', 7)],
      settings,
    );
    expect(w.nodePools.map((p) => [p.metadata.name, p.spec.weight])).toEqual([
      ['a', 7],
      ['b', 1],
    ]);
    expect(w.pools.map((p) => p.weight)).toEqual([7, 1]);
  });

  it("finds an object's Events oldest first", () => {
    const w = worldOf(
      [
        event('web', '2026-11-27T11:00:00Z', 'B'),
        event('web', '2026-11-27T10:00:00Z', 'A'),
        event('db', '2026-11-27T09:00:00Z'),
      ],
      settings,
    );
    expect(eventsOf(w, 'Pod', 'web', 'shop').map((e) => e.reason)).toEqual(['A', 'B']);
    expect(eventsOf(w, 'Pod', 'web', 'other')).toEqual([]);
  });
});

describe('dumpTime', () => {
  it.each([
    ['nothing dated', [{ kind: 'Node', metadata: { name: 'n' } }], undefined],
    [
      'the newest creation',
      [{ kind: 'Node', metadata: { name: 'n', creationTimestamp: '2026-11-27T09:00:00Z' } }],
      '2026-11-27T09:00:00.000Z',
    ],
    [
      "a condition's transition after it",
      [
        {
          kind: 'Node',
          metadata: { name: 'n', creationTimestamp: '2026-11-27T09:00:00Z' },
          status: { conditions: [{ lastTransitionTime: '2026-11-27T10:00:00Z' }] },
        },
      ],
      '2026-11-27T10:00:00.000Z',
    ],
    ['an Event after both', [event('web', '2026-11-27T11:30:00Z')], '2026-11-27T11:30:00.000Z'],
  ])('%s', (_, objects, want) => {
    expect(dumpTime(objects as KubeObject[])?.toISOString()).toBe(want);
  });
});
