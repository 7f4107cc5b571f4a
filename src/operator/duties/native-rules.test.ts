import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { Policies, defaultPolicies } from '../../policies/policies.js';
import { NativeRules, syncPlan, type GeneratedStore } from './native-rules.js';

/** A store in memory, as the API would keep the objects (keyed by kind, namespace and name). */
function memoryStore(
  initial: KubeObject[] = [],
): GeneratedStore & { objects: Map<string, KubeObject>; writes: string[] } {
  const key = (o: KubeObject) => `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const objects = new Map(initial.map((o) => [key(o), o]));
  const writes: string[] = [];
  return {
    objects,
    writes,
    apply: (o) => {
      objects.set(key(o), o);
      writes.push(`apply ${key(o)}`);
      return Promise.resolve();
    },
    list: () => Promise.resolve([...objects.values()]),
    remove: (o) => {
      objects.delete(key(o));
      writes.push(`delete ${key(o)}`);
      return Promise.resolve();
    },
  };
}

const withRules = (on: boolean, rules: Record<string, unknown> = {}): Policies => {
  const base = defaultPolicies();
  return new Policies({
    ...base.doc,
    nativePolicies: { rules: on },
    rules: { ...(base.doc.rules ?? {}), ...rules },
  } as never);
};

function duty(store: GeneratedStore, policies: () => Policies): NativeRules {
  return new NativeRules({
    store,
    policies,
    onReload: () => () => undefined,
    namespace: 'berth-system',
    today: () => '2026-11-29',
    logger: pino({ level: 'silent' }),
    resyncMs: 60_000,
  });
}

describe('native-rules duty', () => {
  it('applies every generated object when nativePolicies.rules is true, and nothing when false', async () => {
    const store = memoryStore();
    let policies = withRules(true);
    const d = duty(store, () => policies);
    const first = await d.sync();
    expect(first.removed).toBe(0);
    expect(store.objects.has('ValidatingAdmissionPolicy//berth-naked-pod')).toBe(true);
    expect(store.objects.has('ConfigMap/berth-system/berth-naked-pod-warn')).toBe(true);
    expect(store.objects.has('ValidatingAdmissionPolicyBinding//berth-nodeclass-imds-open-ratchet')).toBe(
      true,
    );
    // A rule switched off loses its policy, binding and params; the others stay.
    policies = withRules(true, { 'naked-pod': { mode: 'off' } });
    const second = await d.sync();
    expect(second.removed).toBe(3);
    expect([...store.objects.keys()].some((k) => k.includes('berth-naked-pod'))).toBe(false);
    expect(store.writes.filter((w) => w.startsWith('delete'))[0]).toBe(
      'delete ValidatingAdmissionPolicyBinding//berth-naked-pod-warn',
    );
    // The key off: everything generated goes.
    policies = withRules(false);
    await d.sync();
    expect(store.objects.size).toBe(0);
  });

  it('a rule whose mode changes loses the binding of its old mode', () => {
    const old = { kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'berth-grace-period-warn' } };
    const now = {
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'berth-grace-period-enforce' },
    };
    expect(syncPlan([now], [old, now])).toEqual({ apply: [now], remove: [old] });
  });

  it('a failing store is logged and retried at the next kick, not thrown', async () => {
    const store = memoryStore();
    let fail = true;
    const flaky: GeneratedStore = {
      ...store,
      list: () => (fail ? Promise.reject(new Error('forbidden')) : store.list()),
    };
    const d = duty(flaky, () => withRules(true));
    d.kick();
    await d.stop();
    expect(store.objects.size).toBe(0);
    fail = false;
    d.kick();
    await d.stop();
    expect(store.objects.size).toBeGreaterThan(0);
  });
});
