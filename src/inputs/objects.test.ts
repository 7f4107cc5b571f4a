import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObjects } from './objects.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-inputs-')), 'objects.yaml');
  writeFileSync(path, text);
  return path;
}

describe('lists', () => {
  it('expands typed lists and kind List, each item at its own line, kind and apiVersion from the list', () => {
    const loaded = loadObjects([
      file(`apiVersion: policy/v1
kind: PodDisruptionBudgetList
items:
- metadata: {name: a, namespace: x}
  spec: {minAvailable: 1}
- kind: PodDisruptionBudget
  apiVersion: policy/v1
  metadata: {name: b, namespace: x}
---
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: c}
`),
    ]);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(
      loaded.objects.map((o) => [o.object.apiVersion, o.object.kind, o.object.metadata?.name, o.pos.line]),
    ).toEqual([
      ['policy/v1', 'PodDisruptionBudget', 'a', 4],
      ['policy/v1', 'PodDisruptionBudget', 'b', 6],
      ['apps/v1', 'Deployment', 'c', 13],
    ]);
  });

  it('leaves a kind that ends in List but has no items alone', () => {
    const loaded = loadObjects([file('apiVersion: example.com/v1\nkind: PriceList\nspec: {}\n')]);
    expect(loaded.ok && loaded.objects.map((o) => o.object.kind)).toEqual(['PriceList']);
  });
});
