import { describe, expect, it } from 'vitest';
import type { NodeClaim } from '../nodeclaim/object.js';
import { CLAIM_SEEN_MS, vanished } from './in-flight.js';

const claim = (name: string, deleting = false): NodeClaim => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodeClaim',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-11-28T00:00:00Z' } : {}) },
  spec: {
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
    requirements: [],
  },
});

const NOW = 1_000_000;
const old = { since: NOW - CLAIM_SEEN_MS - 1 };

describe('claims in flight that are gone', () => {
  it.each([
    ['listed', [claim('a')], { a: old }, []],
    ['not listed, launched long ago', [], { a: old }, ['a']],
    ['being deleted', [claim('a', true)], { a: old }, ['a']],
    ['not listed yet, launched just now', [], { a: { since: NOW - 1000 } }, []],
    [
      'not listed, launched long ago but read back just now',
      [],
      { a: { since: 0, recoveredAt: NOW - 1000 } },
      [],
    ],
  ] as const)('%s', (_, claims, inFlight, gone) => {
    expect(vanished(new Map(Object.entries(inFlight)), claims, NOW)).toEqual(gone);
  });
});
