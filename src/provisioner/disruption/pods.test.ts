import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pod } from '../../../test/support/cluster.js';
import { blockerOf } from './candidates.js';
import { nextDrainStep } from './drain.js';
import { doNotDisruptDuration } from '../../kube/do-not-disrupt.js';
import { pdbStates, podProtection } from './pods.js';

const now = new Date('2026-11-23T12:00:00Z');
const annotated = (value: string, startTime?: string): V1Pod => {
  const p = structuredClone(pod('a', 'n'));
  p.metadata ??= {};
  p.metadata.annotations = { 'karpenter.sh/do-not-disrupt': value };
  p.status ??= {};
  if (startTime) p.status.startTime = new Date(startTime);
  else delete p.status.startTime;
  return p;
};

// Karpenter v1.14.1 pkg/utils/pod/scheduling.go IsDoNotDisruptActive and parseDoNotDisrupt:
// "true" protects for good; a positive duration protects from status.startTime for that long; with no
// start time it protects (fail safe); an invalid or non-positive value is as if there were none.
describe('do-not-disrupt on a pod, with a duration (Karpenter v1.12)', () => {
  it.each([
    ['true', '2026-11-01T00:00:00Z', 'has karpenter.sh/do-not-disrupt: "true"'],
    ['30m', '2026-11-23T11:55:00Z', 'protected until 2026-11-23T12:25:00.000Z'],
    ['30m', '2026-11-23T11:30:00Z', undefined],
    ['30m', '2026-11-23T11:29:59Z', undefined],
    ['1h30m', '2026-11-23T10:31:00Z', 'protected until 2026-11-23T12:01:00.000Z'],
    ['30m', undefined, 'has not started yet'],
    ['forever', '2026-11-23T11:59:00Z', undefined],
    ['0s', '2026-11-23T11:59:00Z', undefined],
    ['-5m', '2026-11-23T11:59:00Z', undefined],
    ['false', '2026-11-23T11:59:00Z', undefined],
  ])('%s, started %s: %s', (value, started, want) => {
    const got = podProtection(annotated(value, started), now);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(want);
  });

  it.each([
    ['30m', 1_800_000],
    ['1.5h', 5_400_000],
    ['true', undefined],
    ['Never', undefined],
    ['', undefined],
  ])('duration of %j: %s ms', (value, ms) => expect(doNotDisruptDuration(value)).toBe(ms));

  it('keeps the node while the grace lasts and names when it ends; lets it go after', () => {
    const node = { metadata: { name: 'n' } };
    const fresh = annotated('30m', '2026-11-23T11:55:00Z');
    expect(blockerOf(node, [fresh], pdbStates([], [fresh]), now)).toBe(
      'pod shop/a has karpenter.sh/do-not-disrupt: "30m", protected until 2026-11-23T12:25:00.000Z',
    );
    const old = annotated('30m', '2026-11-23T11:00:00Z');
    expect(blockerOf(node, [old], pdbStates([], [old]), now)).toBeUndefined();
  });

  it('a drain waits for a protected pod and evicts it once its grace has passed', () => {
    const p = annotated('30m', '2026-11-23T11:55:00Z');
    expect(nextDrainStep([p], now)).toMatchObject({ evict: [], waiting: 1 });
    expect(nextDrainStep([p], new Date('2026-11-23T12:25:00Z')).evict).toHaveLength(1);
  });
});
