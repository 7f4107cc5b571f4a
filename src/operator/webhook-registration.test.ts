import { describe, expect, it } from 'vitest';
import { configurationsToRegister, type WebhookConfiguration } from './webhook-registration.js';

const hook = (name: string, path: string, port = 443) => ({
  name,
  failurePolicy: 'Fail',
  clientConfig: { service: { name: 'berth', namespace: 'berth-system', path, port }, caBundle: 'c3RhbGU=' },
});
const DECLARED: WebhookConfiguration[] = [
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'berth', labels: { 'app.kubernetes.io/name': 'berth' } },
    webhooks: [hook('mutate.berth.dev', '/mutate'), hook('gate.berth.dev', '/gate', 8444)],
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'berth' },
    webhooks: [hook('validate.berth.dev', '/validate'), hook('scale.berth.dev', '/validate')],
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-a-webhook' } },
];
const names = (cs: WebhookConfiguration[]) => cs.map((c) => (c.webhooks ?? []).map((h) => h.name));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('configurationsToRegister', () => {
  it.each([
    [
      'berth',
      [
        ['mutate.berth.dev', 'gate.berth.dev'],
        ['validate.berth.dev', 'scale.berth.dev'],
      ],
    ],
    ['karpenter', [['mutate.berth.dev'], ['validate.berth.dev', 'scale.berth.dev']]],
    ['off', [['mutate.berth.dev'], ['validate.berth.dev', 'scale.berth.dev']]],
  ])('mode %s: the scheduling gate only where a leader lifts it', (mode, want) => {
    expect(names(configurationsToRegister(DECLARED, { mode }))).toEqual(want);
  });

  it('mode berth with the gate a MutatingAdmissionPolicy (Kubernetes 1.36+): no gate webhook', () => {
    expect(names(configurationsToRegister(DECLARED, { mode: 'berth', gateBy: 'policy' }))).toEqual([
      ['mutate.berth.dev'],
      ['validate.berth.dev', 'scale.berth.dev'],
    ]);
    expect(names(configurationsToRegister(DECLARED, { mode: 'berth', gateBy: 'webhook' }))[0]).toEqual([
      'mutate.berth.dev',
      'gate.berth.dev',
    ]);
  });

  it('writes the CA bundle into every webhook, replacing a stale one', () => {
    const out = configurationsToRegister(DECLARED, { mode: 'berth', caBundle: PEM });
    const bundles = out.flatMap((c) => (c.webhooks ?? []).map((h) => h.clientConfig?.caBundle));
    expect(new Set(bundles)).toEqual(new Set([Buffer.from(PEM).toString('base64')]));
  });

  it('leaves caBundle out when another injector writes it (cert-manager without ca.crt)', () => {
    const out = configurationsToRegister(DECLARED, { mode: 'berth' });
    expect(out.flatMap((c) => (c.webhooks ?? []).map((h) => h.clientConfig?.caBundle))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('is owned by the ClusterRole, so deleting Berth deletes it', () => {
    const out = configurationsToRegister(DECLARED, { mode: 'off', owner: { name: 'berth', uid: 'u-1' } });
    for (const c of out)
      expect(c.metadata?.ownerReferences).toEqual([
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'berth', uid: 'u-1' },
      ]);
    expect(out[0]?.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'berth' });
  });

  it("points each webhook's Service at Berth's own namespace", () => {
    const out = configurationsToRegister(DECLARED, { mode: 'berth', namespace: 'platform' });
    expect(out.flatMap((c) => (c.webhooks ?? []).map((h) => h.clientConfig?.service?.namespace))).toEqual([
      'platform',
      'platform',
      'platform',
      'platform',
    ]);
  });

  it('off the cluster network: URLs on the host, the gate on its own port', () => {
    const out = configurationsToRegister(DECLARED, {
      mode: 'berth',
      urls: { main: 'https://127.0.0.1:8443', gate: 'https://127.0.0.1:8444' },
    });
    expect(out.flatMap((c) => (c.webhooks ?? []).map((h) => h.clientConfig))).toEqual([
      { url: 'https://127.0.0.1:8443/mutate' },
      { url: 'https://127.0.0.1:8444/gate' },
      { url: 'https://127.0.0.1:8443/validate' },
      { url: 'https://127.0.0.1:8443/validate' },
    ]);
  });

  it('does not change what it was given', () => {
    const before = JSON.stringify(DECLARED);
    configurationsToRegister(DECLARED, { mode: 'off', caBundle: PEM, owner: { name: 'berth', uid: 'u' } });
    expect(JSON.stringify(DECLARED)).toBe(before);
  });
});
