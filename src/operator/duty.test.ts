import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DutyManager, type LeaderDuty } from './duty.js';

function recorder() {
  const log: string[] = [];
  const running = new Map<string, number>();
  const duty = (name: string, o: { failStart?: boolean; slowStop?: boolean } = {}): LeaderDuty => ({
    name,
    start: () => {
      log.push(`start ${name}`);
      if (o.failStart === true) throw new Error('no');
    },
    stop: async () => {
      if (o.slowStop === true) await new Promise((r) => setTimeout(r, 20));
      log.push(`stop ${name}`);
    },
  });
  const gauge = {
    set: (l: { duty: string }, v: number) => {
      running.set(l.duty, v);
    },
  };
  return { log, running, duty, gauge };
}

describe('DutyManager', () => {
  it('starts duties in order, stops them in reverse, and reports each in its gauge', async () => {
    const r = recorder();
    const m = new DutyManager([r.duty('a'), r.duty('b'), r.duty('c')], pino({ level: 'silent' }), r.gauge);
    await m.start();
    expect(Object.fromEntries(r.running)).toEqual({ a: 1, b: 1, c: 1 });
    await m.stop();
    expect(r.log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    expect(Object.fromEntries(r.running)).toEqual({ a: 0, b: 0, c: 0 });
  });

  it('runs the other duties when one fails to start', async () => {
    const r = recorder();
    const m = new DutyManager(
      [r.duty('a', { failStart: true }), r.duty('b')],
      pino({ level: 'silent' }),
      r.gauge,
    );
    await m.start();
    expect(r.running.get('a')).toBeUndefined();
    expect(r.running.get('b')).toBe(1);
  });

  it('starts and stops once however often the Lease events repeat, and a second stop waits for the first', async () => {
    const r = recorder();
    const m = new DutyManager([r.duty('a', { slowStop: true })], pino({ level: 'silent' }));
    await Promise.all([m.start(), m.start()]);
    const first = m.stop();
    await m.stop();
    expect(r.log).toEqual(['start a', 'stop a']);
    await first;
    await m.start();
    expect(r.log).toEqual(['start a', 'stop a', 'start a']);
  });
});
