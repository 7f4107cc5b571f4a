import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { builtinCatalog } from '../catalog/catalog.js';
import { StaticClusterView } from './view.js';

const pdb = (name: string, ns?: string, minAvailable = 1): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, ...(ns === undefined ? {} : { namespace: ns }) },
  spec: { minAvailable, selector: { matchLabels: { app: name } } },
});

describe('StaticClusterView', () => {
  it('holds objects by namespace; a later one of the same name replaces the earlier in place', () => {
    const view = new StaticClusterView(builtinCatalog(), [
      pdb('a', 'shop'),
      pdb('b', 'shop'),
      pdb('a', 'shop', 2),
      pdb('c'),
    ]);
    expect(view.pdbs('shop').map((p) => [p.metadata?.name, p.spec?.minAvailable])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(view.pdbs('default').map((p) => p.metadata?.name)).toEqual(['c']);
    expect(view.pdbs('none')).toEqual([]);
    view.add(pdb('d', 'shop'));
    expect(view.pdbs('shop').map((p) => p.metadata?.name)).toEqual(['a', 'b', 'd']);
  });
});
