import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  AWAITED_MS,
  AWAITS_GATED,
  awaitedReason,
  firstAwaited,
  NOMINATED,
  type AwaitedView,
} from './awaited.js';
import { categoryOf } from './kept.js';

const NOW = Date.parse('2026-11-26T03:00:00Z');
const node = (name: string, ageMs: number, providerID?: string): V1Node => ({
  metadata: { name, creationTimestamp: new Date(NOW - ageMs) },
  spec: providerID === undefined ? {} : { providerID },
});
const view = (o: Partial<AwaitedView> = {}): AwaitedView => ({
  now: NOW,
  nominated: () => false,
  claimOf: () => undefined,
  lastPodEvent: () => undefined,
  gated: false,
  ...o,
});

describe('awaitedReason', () => {
  it.each([
    ['nominated by name', node('n', 60_000), view({ nominated: (x) => x === 'n' }), NOMINATED],
    [
      'nominated through the claim it is (a launch names the claim)',
      node('ip-10-0-0-7', 60_000, 'aws:///us-east-1a/i-1'),
      view({ nominated: (x) => x === 'berth-abc-2-0001', claimOf: () => 'berth-abc-2-0001' }),
      NOMINATED,
    ],
    ['no pod has come yet while pods are gated', node('n', 60_000), view({ gated: true }), AWAITS_GATED],
    [
      'a pod has come or gone since',
      node('n', 60_000),
      view({ gated: true, lastPodEvent: () => NOW - 1 }),
      undefined,
    ],
    ['no pod is gated', node('n', 60_000), view(), undefined],
    [
      'created longer ago than gates take to come off',
      node('n', AWAITED_MS),
      view({ gated: true }),
      undefined,
    ],
  ] as const)('%s', (_name, n, v, want) => {
    expect(awaitedReason(n, v)).toBe(want);
  });

  it('counts as nominated in the kept metric, and names the node that holds a decision back', () => {
    expect([categoryOf(NOMINATED), categoryOf(AWAITS_GATED)]).toEqual(['nominated', 'nominated']);
    const nodes = [node('a', 1), node('b', 1)];
    expect(firstAwaited(nodes, (n) => (n.metadata?.name === 'b' ? NOMINATED : undefined))).toBe(
      `b: ${NOMINATED}`,
    );
    expect(firstAwaited(nodes, undefined)).toBeUndefined();
  });
});
