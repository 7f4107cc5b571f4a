import type { KubernetesObjectApi, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { LeaderElector, leaseAction, microTime } from './lease.js';

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

describe('the leader announces through the Lease', () => {
  const status = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
  /** A Lease store as the API server keeps it: create once, replace at the stored resourceVersion. */
  function store() {
    let stored: V1Lease | undefined;
    let rv = 0;
    const save = (l: V1Lease): V1Lease => {
      rv += 1;
      stored = structuredClone(l);
      stored.metadata = Object.assign(stored.metadata ?? {}, { resourceVersion: String(rv) });
      return structuredClone(stored);
    };
    const api = {
      read: () => (stored ? Promise.resolve(structuredClone(stored)) : Promise.reject(status(404))),
      create: (l: V1Lease) => Promise.resolve(save(l)),
      replace: (l: V1Lease) =>
        l.metadata?.resourceVersion === stored?.metadata?.resourceVersion
          ? Promise.resolve(save(l))
          : Promise.reject(status(409)),
    };
    return { api: api as unknown as KubernetesObjectApi, stored: () => stored };
  }
  const silent = { info: () => undefined, warn: () => undefined } as unknown as Logger;

  it('the holder writes its annotations at each renewal and every replica reads them while it leads', async () => {
    let now = new Date('2026-11-21T10:00:00Z');
    const s = store();
    let gates = 'on';
    const elector = (identity: string, annotations?: () => Record<string, string>) =>
      new LeaderElector({
        api: s.api,
        namespace: 'berth-system',
        name: 'berth-leader',
        identity,
        logger: silent,
        clock: () => now,
        onStart: () => undefined,
        onStop: () => undefined,
        ...(annotations ? { annotations } : {}),
      });
    const leader = elector('a', () => ({ 'berth.dev/scheduling-gates': gates }));
    const other = elector('b');
    expect(other.leaderAnnotation('berth.dev/scheduling-gates')).toBeUndefined();
    expect(await leader.tryOnce()).toBe(true);
    expect(leader.leaderAnnotation('berth.dev/scheduling-gates')).toBe('on');
    expect(await other.tryOnce()).toBe(false);
    expect(other.leaderAnnotation('berth.dev/scheduling-gates')).toBe('on');
    gates = 'off';
    now = new Date('2026-11-21T10:00:02Z');
    await leader.tryOnce();
    await other.tryOnce();
    expect(s.stored()?.metadata?.annotations).toEqual({ 'berth.dev/scheduling-gates': 'off' });
    expect(other.leaderAnnotation('berth.dev/scheduling-gates')).toBe('off');
    // The leader stops renewing: once its Lease expires, nobody announces anything.
    gates = 'on';
    now = new Date('2026-11-21T10:00:16Z');
    expect(other.leaderAnnotation('berth.dev/scheduling-gates')).toBe('off');
    now = new Date('2026-11-21T10:00:18Z');
    expect(other.leaderAnnotation('berth.dev/scheduling-gates')).toBeUndefined();
  });
});
