import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventSink } from '../../kube/events.js';
import type { LeaderDuty } from '../duty.js';
import { ProvisioningGuard, type Detect } from './karpenter-guard.js';

function world(o: { seen: (string | undefined)[]; takeOver?: boolean; mode?: 'berth' | 'karpenter' }) {
  const log: string[] = [];
  const events: string[] = [];
  let blocked = -1;
  const inner: LeaderDuty = {
    name: 'provisioning',
    start: () => {
      log.push('start');
    },
    stop: () => {
      log.push('stop');
    },
  };
  let look = 0;
  const detect: Detect = () => Promise.resolve(o.seen[Math.min(look++, o.seen.length - 1)]);
  const sink: EventSink = {
    emit: (e) => {
      events.push(`${e.reason}: ${e.message}`);
    },
  };
  const guard = new ProvisioningGuard({
    inner: [inner],
    detect,
    takeOver: o.takeOver === true,
    mode: () => o.mode ?? 'berth',
    events: sink,
    namespace: 'berth-system',
    logger: pino({ level: 'silent' }),
    blocked: {
      set: (v) => {
        blocked = v;
      },
    },
    recheckMs: 10,
  });
  return { guard, log, events, blocked: () => blocked, looks: () => look };
}

describe('the guard against two provisioners', () => {
  it('refuses to start provisioning while Karpenter runs, says so once, and starts when it is gone', async () => {
    const seen = 'Lease karpenter/karpenter-leader-election held by karpenter-abc, renewed 3s ago';
    const w = world({ seen: [seen, seen, undefined] });
    await w.guard.start();
    expect(w.log).toEqual([]);
    expect(w.blocked()).toBe(1);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatch(
      /^ProvisioningRefused: another provisioner is running \(Lease karpenter\/karpenter-leader-election/,
    );
    expect(w.events[0]).toMatch(/--take-over-from-karpenter/);
    await new Promise((r) => setTimeout(r, 60));
    expect(w.log).toEqual(['start']);
    expect(w.blocked()).toBe(0);
    expect(w.events).toHaveLength(1);
    await w.guard.stop();
    expect(w.log).toEqual(['start', 'stop']);
  });

  it('starts at once when told to take over, and when Berth is not the provisioner', async () => {
    for (const o of [{ takeOver: true }, { mode: 'karpenter' as const }]) {
      const w = world({ seen: ['Deployment karpenter/karpenter has 2 available replicas'], ...o });
      await w.guard.start();
      expect(w.log).toEqual(['start']);
      expect(w.looks()).toBe(0);
    }
  });

  it('stops looking when the Lease is lost, and starts nothing after', async () => {
    const w = world({ seen: ['Deployment karpenter/karpenter has 1 available replicas', undefined] });
    await w.guard.start();
    await w.guard.stop();
    await new Promise((r) => setTimeout(r, 40));
    expect(w.log).toEqual([]);
    expect(w.blocked()).toBe(0);
  });
});
