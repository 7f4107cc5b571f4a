import { describe, expect, it } from 'vitest';
import { gatesToLift, liftPlan, MAX_GATED_MS, type RoundGates } from './gates.js';
import type { SpreadFact } from './spread-lifts.js';

const round = (planned: string[], awaiting: string[] = [], unplaceable: string[] = []): RoundGates => ({
  planned: new Set(planned),
  awaitingCapacity: new Set(awaiting),
  unplaceable: new Set(unplaceable),
});

const now = 1_000_000;
const pod = (id: string, ageMs = 1_000) => ({ id, createdAt: now - ageMs });

describe('gatesToLift', () => {
  it.each([
    ['planned on room that is there (or held on its joined node)', round(['s/a']), true, 'capacity'],
    ['planned on a claim in flight or a Node not Ready', round(['s/a'], ['s/a']), true, undefined],
    ['placed on no NodePool', round(['s/a'], [], ['s/a']), true, 'unplaceable'],
    ['not planned by the last round (created since)', round(['s/b']), true, undefined],
    ['no round yet', undefined, true, undefined],
    ['gates off, whatever the round', round(['s/a'], ['s/a']), false, 'off'],
  ] as const)('a pod %s: %s', (_name, r, on, want) => {
    const lifts = gatesToLift([pod('s/a')], r, { now, on });
    expect(lifts).toEqual(want === undefined ? [] : [{ id: 's/a', reason: want }]);
  });

  it('lifts the largest pods first, as the plan packed them (the order kube-scheduler meets them in)', () => {
    const gated = [
      { id: 's/small', createdAt: now, size: 1 },
      { id: 's/large', createdAt: now, size: 8 },
      { id: 's/unsized', createdAt: now },
      { id: 's/medium', createdAt: now, size: 4 },
    ];
    const r = round(['s/small', 's/large', 's/unsized', 's/medium']);
    expect(gatesToLift(gated, r, { now, on: true }).map((l) => l.id)).toEqual([
      's/large',
      's/medium',
      's/small',
      's/unsized',
    ]);
  });

  it('names the Node the plan put a pod on when it lifts for capacity, and none otherwise', () => {
    const targets = new Map([
      ['s/there', 'node-a'],
      ['s/old', 'node-b'],
    ]);
    const r = { ...round(['s/there', 's/nowhere', 's/old'], ['s/old'], ['s/nowhere']), targets };
    const gated = [pod('s/there'), pod('s/nowhere'), pod('s/old', MAX_GATED_MS + 1)];
    expect(gatesToLift(gated, r, { now, on: true })).toEqual([
      { id: 's/there', reason: 'capacity', node: 'node-a' },
      { id: 's/nowhere', reason: 'unplaceable' },
      { id: 's/old', reason: 'expired' },
    ]);
    expect(gatesToLift(gated, r, { now, on: false }).every((l) => l.node === undefined)).toBe(true);
  });

  it('releases a pod gated longer than the most, even while its claim is in flight', () => {
    const r = round(['s/old', 's/new'], ['s/old', 's/new']);
    expect(
      gatesToLift([pod('s/old', MAX_GATED_MS + 1), pod('s/new', MAX_GATED_MS)], r, { now, on: true }),
    ).toEqual([{ id: 's/old', reason: 'expired' }]);
    expect(gatesToLift([pod('s/new', 11)], undefined, { now, on: true, maxGatedMs: 10 })).toEqual([
      { id: 's/new', reason: 'expired' },
    ]);
  });

  it('holds back a zone spread’s pod that could be a skew to the scheduler, for capacity lifts only', () => {
    const zone = (domain: string): SpreadFact[] => [
      { group: 'web', maxSkew: 1, domain, bound: 0, min: 0, self: true },
    ];
    const targets = new Map([
      ['s/a1', 'node-a'],
      ['s/a2', 'node-a'],
      ['s/b1', 'node-b'],
      ['s/a3', 'node-a'],
    ]);
    const spread = new Map([
      ['s/a1', zone('a')],
      ['s/a2', zone('a')],
      ['s/b1', zone('b')],
      ['s/a3', zone('a')],
    ]);
    // s/a1's gate is already off (not in the gated list): it is in the scheduler's hands in zone a.
    const r = { ...round(['s/a1', 's/a2', 's/b1', 's/a3']), targets, spread };
    const gated = [pod('s/a2'), pod('s/b1'), pod('s/a3', MAX_GATED_MS + 1)];
    expect(liftPlan(gated, r, { now, on: true })).toEqual({
      lifts: [
        { id: 's/b1', reason: 'capacity', node: 'node-b' },
        { id: 's/a3', reason: 'expired' },
      ],
      spreadWaiting: 1,
    });
    expect(liftPlan(gated, r, { now, on: false }).spreadWaiting).toBe(0);
  });
});
