import { describe, expect, it } from 'vitest';
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { builtinCatalog } from '../catalog/catalog.js';
import type { KubeObject } from '../kube/objects.js';
import { StaticClusterView } from '../policies/view.js';
import { PendingPdbView } from './overlay.js';

function pdb(name: string, minAvailable: number, uid?: string): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name,
      namespace: 'shop',
      ...(uid === undefined
        ? {}
        : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid }] }),
    },
    spec: { minAvailable, selector: { matchLabels: { app: name } } },
  };
}

const base = new StaticClusterView(builtinCatalog(), [
  pdb('web', 1) as KubeObject,
  pdb('other', 2) as KubeObject,
]);
const names = (list: readonly V1PodDisruptionBudget[]): string[] =>
  list.map((p) => `${p.metadata?.name ?? ''}:${String(p.spec?.minAvailable)}`);

describe('PendingPdbView', () => {
  it.each([
    { case: 'replaces the PDB of its name', pending: pdb('web', 3, 'a'), want: ['other:2', 'web:3'] },
    { case: 'adds a PDB of a new name', pending: pdb('api', 1, 'a'), want: ['web:1', 'other:2', 'api:1'] },
  ])('$case', ({ pending, want }) => {
    expect(names(new PendingPdbView(base, pending).pdbs('shop'))).toEqual(want);
  });

  it('leaves other namespaces as they are', () => {
    expect(new PendingPdbView(base, pdb('web', 3)).pdbs('other')).toBe(base.pdbs('other'));
  });

  it('shares one list between reviews whose pending PDB differs only in owner references', () => {
    const first = new PendingPdbView(base, pdb('web', 4, 'uid-1')).pdbs('shop');
    const second = new PendingPdbView(base, pdb('web', 4, 'uid-2')).pdbs('shop');
    expect(second).toBe(first);
    expect(first.find((p) => p.metadata?.name === 'web')?.metadata?.ownerReferences).toBeUndefined();
  });

  const relabelled = pdb('web', 4, 'uid-1');
  relabelled.metadata = { name: 'web', namespace: 'shop', labels: { a: 'b' } };
  it.each([
    { case: 'spec', other: pdb('web', 5, 'uid-1') },
    { case: 'labels', other: relabelled },
  ])('builds a new list when the $case differs', ({ other }) => {
    const first = new PendingPdbView(base, pdb('web', 4, 'uid-1')).pdbs('shop');
    const second = new PendingPdbView(base, other).pdbs('shop');
    expect(second).not.toBe(first);
    const shown = second.find((p) => p.metadata?.name === 'web');
    expect(shown?.spec).toEqual(other.spec);
    expect(shown?.metadata?.labels).toEqual(other.metadata?.labels);
  });
});
