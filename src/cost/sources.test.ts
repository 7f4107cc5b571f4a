import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { builtinCatalog } from '../catalog/catalog.js';
import { clusterCostInput } from './sources.js';

describe('clusterCostInput: a pod in the middle of an in-place resize', () => {
  it.each([
    ['down-in-progress', 1500],
    ['up-deferred', 1500],
    ['up-infeasible', 500],
  ])('%s is charged for the %im CPU kube-scheduler counts on its node', (c, cpu) => {
    const docs = parseAllDocuments(readFileSync(`test/resize/${c}/cluster.yaml`, 'utf8')).map(
      (d) => d.toJS() as { kind: string },
    );
    const nodes = docs.filter((d) => d.kind === 'Node') as unknown as V1Node[];
    const pods = docs.filter((d) => d.kind === 'Pod') as unknown as V1Pod[];
    const input = clusterCostInput(nodes, pods, builtinCatalog());
    expect(input.pods.find((p) => p.workload.endsWith('resized'))?.cpu).toBe(cpu);
  });
});
