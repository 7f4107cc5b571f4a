import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { selectorMatches, type LabelSelector } from '../kube/selector.js';
import { isReplicated, podLabelsOf } from '../kube/workload.js';
import { seededRandom } from '../util/seeded.js';
import { hpaScaling, pdbsSelecting, workloadNamed, workloadsSelectedBy } from './lookup.js';
import type { HPA, PDB } from './view.js';

const pdb = (name: string, selector: LabelSelector | null): PDB => ({
  metadata: { name },
  spec: { minAvailable: 1, ...(selector === null ? {} : { selector }) },
});

const deployment = (name: string, labels: Record<string, string>, kind = 'Deployment'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [] } } },
});

describe('lookups', () => {
  const pdbs = [
    pdb('web', { matchLabels: { app: 'web' } }),
    pdb('tier', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }),
    pdb('all', {}),
    pdb('none', null),
    pdb('web-front', { matchLabels: { app: 'web', tier: 'front' } }),
  ];

  it.each([
    [{ app: 'web', tier: 'front' }, ['web', 'tier', 'all', 'web-front']],
    [{ app: 'web' }, ['web', 'all']],
    [{ app: 'db', tier: 'front' }, ['tier', 'all']],
    [{}, ['all']],
  ])('PDBs selecting %j: %j, in list order', (labels, names) => {
    expect(pdbsSelecting(pdbs, labels).map((p) => p.metadata?.name)).toEqual(names);
  });

  it('workloads a selector picks: replicated kinds and bare pods only, in list order', () => {
    const list = [
      deployment('a', { app: 'web' }),
      deployment('job', { app: 'web' }, 'Job'),
      deployment('b', { app: 'web', tier: 'front' }, 'StatefulSet'),
      deployment('c', { app: 'db' }),
    ];
    const names = (s: LabelSelector | null) => workloadsSelectedBy(list, s).map((w) => w.metadata?.name);
    expect(names({ matchLabels: { app: 'web' } })).toEqual(['a', 'b']);
    expect(names({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] })).toEqual(['c']);
    expect(names({})).toEqual(['a', 'b', 'c']);
    expect(names(null)).toEqual([]);
    expect(workloadNamed(list, 'StatefulSet', 'b')?.metadata?.name).toBe('b');
    expect(workloadNamed(list, 'Deployment', 'b')).toBeUndefined();
  });

  it('the HPA that scales a workload: the first one, by kind and name', () => {
    const hpa = (name: string, kind: string, target: string): HPA => ({
      metadata: { name },
      spec: { maxReplicas: 3, scaleTargetRef: { kind, name: target } },
    });
    const list = [
      hpa('one', 'Deployment', 'web'),
      hpa('two', 'Deployment', 'web'),
      hpa('s', 'StatefulSet', 'web'),
    ];
    expect(hpaScaling(list, 'Deployment', 'web')?.metadata?.name).toBe('one');
    expect(hpaScaling(list, 'StatefulSet', 'web')?.metadata?.name).toBe('s');
    expect(hpaScaling(list, undefined, 'web')).toBeUndefined();
  });

  it('answers exactly as a scan over random selectors and labels', () => {
    const rand = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const keys = ['app', 'tier', 'team'];
    const values = ['a', 'b', 'c'];
    const labelsOf = () => Object.fromEntries(keys.filter(() => rand() < 0.7).map((k) => [k, pick(values)]));
    const selectorOf = (): LabelSelector | null => {
      const r = rand();
      if (r < 0.05) return null;
      if (r < 0.1) return {};
      const s: LabelSelector = { matchLabels: labelsOf() };
      if (rand() < 0.3) s.matchExpressions = [{ key: pick(keys), operator: 'Exists' }];
      return s;
    };
    const ps = Array.from({ length: 200 }, (_, i) => pdb(`p${i}`, selectorOf()));
    const ws = Array.from({ length: 200 }, (_, i) =>
      deployment(`w${i}`, labelsOf(), pick(['Deployment', 'Job'])),
    );
    for (let i = 0; i < 200; i++) {
      const labels = labelsOf();
      expect(pdbsSelecting(ps, labels)).toEqual(
        ps.filter((p) => selectorMatches(p.spec?.selector ?? null, labels)),
      );
      const s = selectorOf();
      expect(workloadsSelectedBy(ws, s)).toEqual(
        ws.filter((w) => isReplicated(w.kind) && selectorMatches(s, podLabelsOf(w))),
      );
    }
  });
});
