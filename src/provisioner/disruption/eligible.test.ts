import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { loadObjects } from '../../inputs/objects.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { classify } from './candidates.js';
import { eligibleCounts } from './eligible.js';
import { pdbStates } from './pods.js';

const loaded = loadObjects(['deploy/nodepools/general.yaml']);
if (!loaded.ok) throw new Error('deploy/nodepools/general.yaml does not load');
const general = loaded.objects[0]?.object as unknown as NodePool;

// Karpenter v1.14.1 disruption/controller.go: EligibleNodes is the candidates of each method once
// GetCandidates has left out the nodes whose pods may not be disrupted (do-not-disrupt, a PDB at 0),
// before budgets.
describe('eligibleCounts (karpenter_voluntary_disruption_eligible_nodes)', () => {
  it('counts empty and under-used candidates, never a node a do-not-disrupt pod keeps', () => {
    const pods: V1Pod[] = [
      pod('web', 'busy'),
      pod('keep', 'held', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }),
    ];
    const byNode = new Map<string, V1Pod[]>();
    for (const p of pods)
      byNode.set(p.spec?.nodeName ?? '', [...(byNode.get(p.spec?.nodeName ?? '') ?? []), p]);
    const c = classify(
      [node('busy'), node('held'), node('empty')],
      byNode,
      [poolView(general)],
      pdbStates([], pods),
      {
        catalog: builtinCatalog(),
        now: new Date('2026-11-27T12:00:00Z'),
      },
    );
    expect(eligibleCounts(c)).toEqual({ drifted: 0, underutilized: 1, empty: 1 });
  });
});
