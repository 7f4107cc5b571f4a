import type { V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { leaseAction, microTime } from './lease.js';

const lease = (holder: string, renew: string, duration = 15): V1Lease => ({
  metadata: { name: 'berth-leader', namespace: 'berth-system' },
  spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: renew as unknown as Date },
});

describe('leaseAction', () => {
  const now = new Date('2026-11-21T10:00:20Z');
  it.each([
    ['no lease yet', undefined, 'create'],
    ['we hold it', lease('me', '2026-11-21T10:00:00.000000Z'), 'renew'],
    ['released (empty holder)', lease('', '2026-11-21T10:00:19.000000Z'), 'acquire'],
    ['another holder, renewed 5 s ago', lease('other', '2026-11-21T10:00:15.000000Z'), 'wait'],
    ['another holder, exactly at expiry', lease('other', '2026-11-21T10:00:05.000000Z'), 'wait'],
    ['another holder, expired', lease('other', '2026-11-21T10:00:04.000000Z'), 'acquire'],
    ['another holder with a longer lease', lease('other', '2026-11-21T10:00:04.000000Z', 60), 'wait'],
  ] as const)('%s → %s', (_name, l, want) => {
    expect(leaseAction(l, 'me', now)).toBe(want);
  });

  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2026-11-21T10:00:20.123Z'))).toBe('2026-11-21T10:00:20.123000Z');
  });
});
