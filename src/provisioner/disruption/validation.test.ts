import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { pools } from '../../../test/support/disruption-cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { pdbStates } from './pods.js';
import { keepingRoom } from './simulate.js';
import { recheck } from './validation.js';
import { NOT_PLANNED } from './waiting.js';
import type { World } from './world.js';

/** Node a is the decision's (1 CPU of pods); b (an m6i.xlarge) runs 1 CPU and has room for a's pod. */
function world(settling: string[] = []): World {
  const podsByNode = new Map([
    ['a', [pod('a-1', 'a', { cpu: '1' })]],
    ['b', [pod('b-1', 'b', { cpu: '1' })]],
  ]);
  const w: World = {
    nodes: [node('a'), node('b')],
    podsByNode,
    pools,
    daemonSets: [],
    catalog: builtinCatalog(),
    namePrefix: 'test-',
    ...(settling.length > 0 ? { settling: new Set(settling) } : {}),
  };
  return keepingRoom(w, [], NOT_PLANNED);
}

const NOW = new Date('2026-11-30T12:00:00Z');
const check = (w: World, consolidation: boolean) =>
  recheck(w, ['a'], pdbStates([], []), { forceful: false, mayLaunch: true, consolidation, now: NOW });

// Karpenter v1.15 ConsolidationValidator.validateCandidates: the candidates are got afresh after the
// delay, and a decision whose candidate is no longer Consolidatable (a pod event moved its
// lastPodEventTime within consolidateAfter) is dropped.
describe('recheck: a consolidation whose node had a pod come or go while it was validated', () => {
  it('is dropped, naming the node and consolidateAfter', () => {
    const r = check(world(['a']), true);
    expect(r).toEqual({
      ok: false,
      why: "a: a pod came to it or left it while the decision was validated; it waits its NodePool's consolidateAfter again",
    });
  });

  it('holds when only another node is settling and it is not needed as a target', () => {
    expect(check(world(['x']), true)).toMatchObject({ ok: true, launch: [] });
  });

  it('does not stop drift or expiration (not consolidations: they must happen)', () => {
    expect(check(world(['a']), false)).toMatchObject({ ok: true, launch: [] });
  });
});
