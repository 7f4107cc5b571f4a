import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { SimulatedCloud } from '../cloud/simulated.js';
import { UnavailableOfferings } from '../cloud/unavailable.js';
import { ProvisionLoop, reasonClass } from './loop.js';
import { Provisioner } from './provisioner.js';

const catalog = builtinCatalog();

function loopWith(batching: { idleMs: number; maxMs: number }) {
  const cloud = new SimulatedCloud({ catalog, clock: () => new Date() });
  const provisioner = new Provisioner({
    cloud,
    unavailable: new UnavailableOfferings(() => Date.now()),
    now: () => Date.now(),
  });
  const roundsAt: number[] = [];
  const start = Date.now();
  const loop = new ProvisionLoop({
    provisioner,
    input: () => {
      roundsAt.push(Date.now() - start);
      return {
        solver: { pods: [], nodes: [], pools: [], daemonSets: [], catalog },
        demand: { pods: [], groups: [], capped: [], deferred: 0, deferredFrom: [], ahead: new Map() },
      };
    },
    mode: () => 'berth',
    batching: () => batching,
    logger: pino({ level: 'silent' }),
    resyncMs: 3_600_000,
  });
  return { loop, roundsAt };
}

/** Triggers every `everyMs` for `forMs`, then lets every timer run out. */
async function burst(loop: ProvisionLoop, everyMs: number, forMs: number): Promise<void> {
  for (let t = 0; t < forMs; t += everyMs) {
    loop.trigger();
    await vi.advanceTimersByTimeAsync(everyMs);
  }
  await vi.advanceTimersByTimeAsync(10_000);
}

describe('ProvisionLoop batching', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('plans one trigger after the idle window, not the maximum', async () => {
    const { loop, roundsAt } = loopWith({ idleMs: 100, maxMs: 2000 });
    loop.start(); // start() triggers once itself
    await vi.advanceTimersByTimeAsync(99);
    expect(roundsAt).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(roundsAt).toEqual([100]);
    loop.stop();
  });

  it('gathers a burst into one round that starts when the burst goes idle', async () => {
    const { loop, roundsAt } = loopWith({ idleMs: 100, maxMs: 2000 });
    loop.start();
    await burst(loop, 50, 1000);
    expect(roundsAt).toEqual([1050]);
    loop.stop();
  });

  it('never waits past the maximum while demand keeps arriving', async () => {
    const { loop, roundsAt } = loopWith({ idleMs: 100, maxMs: 2000 });
    loop.start();
    await burst(loop, 50, 5000);
    expect(roundsAt[0]).toBe(2000);
    expect(roundsAt.length).toBeGreaterThanOrEqual(2);
    for (const [i, t] of roundsAt.entries())
      if (i > 0) expect(t - (roundsAt[i - 1] ?? 0)).toBeLessThanOrEqual(2000);
    loop.stop();
  });

  it('reads the settings live: a maximum of 0 plans at once', async () => {
    const { loop, roundsAt } = loopWith({ idleMs: 0, maxMs: 0 });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(roundsAt).toEqual([0]);
    loop.stop();
  });
});

describe('reasonClass: an unschedulable reason as a metric label', () => {
  it.each([
    ['requests-exceed-capacity: needs 200 vCPU; the largest type holds 192', 'requests-exceed-capacity'],
    ['no NodePool tolerates taint dedicated=gpu (3 pools)', 'no NodePool tolerates taint dedicated=gpu'],
    ['x'.repeat(80), `${'x'.repeat(57)}...`],
  ])('%s', (reason, want) => {
    expect(reasonClass(reason)).toBe(want);
  });
});
