import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { LivePolicies } from '../policies/live.js';
import { SelfInstall } from './self-install.js';

const DECLARED = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: berth }
webhooks:
  - { name: mutate.berth.dev, clientConfig: { service: { name: berth, namespace: berth-system, path: /mutate, port: 443 } } }
  - { name: gate.berth.dev, clientConfig: { service: { name: berth, namespace: berth-system, path: /gate, port: 8444 } } }
`;

/** The API calls a replica makes to register: a ClusterRole read, then server-side applies. */
function fakeApi(failFirst = 0) {
  const applied: (KubernetesObject & { webhooks?: { name: string }[] })[] = [];
  let failures = failFirst;
  const api = {
    read: () => Promise.resolve({ metadata: { uid: 'role-uid' } }),
    patch: (o: KubernetesObject) => {
      if (failures-- > 0) return Promise.reject(new Error('connection refused'));
      applied.push(structuredClone(o));
      return Promise.resolve(o);
    },
  } as unknown as KubernetesObjectApi;
  return { api, applied };
}

function livePolicies(mode: string) {
  const listeners: (() => void)[] = [];
  const live = {
    current: { provisionerMode: mode },
    onReload: (f: () => void) => listeners.push(f),
  };
  return {
    live: live as unknown as LivePolicies,
    setMode: (m: string) => {
      live.current.provisionerMode = m;
      for (const f of listeners) f();
    },
  };
}

const until = async (what: () => boolean) => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
};

function install(api: KubernetesObjectApi, live: LivePolicies) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-self-install-'));
  writeFileSync(join(dir, 'webhooks.yaml'), DECLARED);
  writeFileSync(join(dir, 'ca.crt'), 'PEM');
  return new SelfInstall({
    opts: { namespace: 'berth-system', webhooks: join(dir, 'webhooks.yaml'), webhookOwner: 'berth' },
    api,
    live,
    tlsDir: dir,
    ports: { main: 8443, gate: 8444 },
    clock: () => new Date('2026-11-28T00:00:00Z'),
    logger: pino({ level: 'silent' }),
  });
}

describe('SelfInstall: the webhooks registered once the replica answers', () => {
  it('registers nothing before /readyz passes, then the configurations owned by the ClusterRole', async () => {
    const { api, applied } = fakeApi();
    const { live } = livePolicies('berth');
    const s = install(api, live);
    await s.beforeListen();
    let ready = false;
    s.afterReady(() => ready);
    await new Promise((r) => setTimeout(r, 300));
    expect(applied).toEqual([]);
    ready = true;
    await until(() => applied.length > 0);
    expect(applied[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'ClusterRole',
      name: 'berth',
      uid: 'role-uid',
    });
    expect(applied[0]?.webhooks?.map((h) => h.name)).toEqual(['mutate.berth.dev', 'gate.berth.dev']);
    s.stop();
  });

  it('registers again when provisioner.mode changes: the gate goes in mode karpenter', async () => {
    const { api, applied } = fakeApi();
    const { live, setMode } = livePolicies('berth');
    const s = install(api, live);
    await s.beforeListen();
    s.afterReady(() => true);
    await until(() => applied.length === 1);
    setMode('karpenter');
    await until(() => applied.length === 2);
    expect(applied[1]?.webhooks?.map((h) => h.name)).toEqual(['mutate.berth.dev']);
    s.stop();
  });

  it('after a failed registration, tries no more once stopped (SIGTERM)', async () => {
    const { api, applied } = fakeApi(1);
    const { live } = livePolicies('off');
    const s = install(api, live);
    await s.beforeListen();
    s.afterReady(() => true);
    await new Promise((r) => setTimeout(r, 100));
    expect(applied).toEqual([]);
    s.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(applied).toEqual([]);
  });
});
