import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { gatePolicyBinding } from '../../admission/gate-policy.js';
import { PolicyGate, type PolicyGateStore } from './policy-gate.js';

/** What was written, in order; `failNext` refuses the next write. */
function recorder(): PolicyGateStore & { writes: string[]; failNext: boolean } {
  const r = {
    writes: [] as string[],
    failNext: false,
    write(verb: string, o: KubeObject): Promise<void> {
      if (r.failNext) {
        r.failNext = false;
        return Promise.reject(new Error('connection refused'));
      }
      r.writes.push(`${verb} ${o.kind ?? ''}`);
      return Promise.resolve();
    },
    apply: (o: KubeObject) => r.write('apply', o),
    remove: (o: KubeObject) => r.write('delete', o),
  };
  return r;
}

function gate(store: PolicyGateStore, clock: { t: number }): PolicyGate {
  return new PolicyGate({
    store,
    binding: () => Promise.resolve(gatePolicyBinding({ namespace: 'berth-system' }, 'uid-1')),
    logger: pino({ level: 'silent' }),
    now: () => clock.t,
    reapplyMs: 60_000,
  });
}

describe('PolicyGate', () => {
  it('applies the binding while gating, and deletes it after', async () => {
    const store = recorder();
    const g = gate(store, { t: 0 });
    await g.sync(true);
    await g.sync(true);
    await g.sync(false);
    await g.sync(false);
    expect(store.writes).toEqual([
      'apply MutatingAdmissionPolicyBinding',
      'delete MutatingAdmissionPolicyBinding',
    ]);
  });

  it('at start, not gating, deletes a binding a previous leader may have left', async () => {
    const store = recorder();
    await gate(store, { t: 0 }).sync(false);
    expect(store.writes).toEqual(['delete MutatingAdmissionPolicyBinding']);
  });

  it('applies again a minute later, should someone have deleted them', async () => {
    const store = recorder();
    const clock = { t: 0 };
    const g = gate(store, clock);
    await g.sync(true);
    clock.t = 59_000;
    await g.sync(true);
    expect(store.writes).toHaveLength(1);
    clock.t = 61_000;
    await g.sync(true);
    expect(store.writes).toHaveLength(2);
  });

  it('tries a refused write again at the next sync', async () => {
    const store = recorder();
    const g = gate(store, { t: 0 });
    store.failNext = true;
    await g.sync(true);
    expect(store.writes).toEqual([]);
    await g.sync(true);
    expect(store.writes).toEqual(['apply MutatingAdmissionPolicyBinding']);
  });

  it('runs syncs one after another, in the order asked', async () => {
    const store = recorder();
    const g = gate(store, { t: 0 });
    await Promise.all([g.sync(true), g.sync(false), g.sync(true)]);
    expect(store.writes.map((w) => w.split(' ')[0])).toEqual(['apply', 'delete', 'apply']);
  });
});
