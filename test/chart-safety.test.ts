/**
 * Safe to install and safe to lose, for every way Berth is installed: `helm template` in each mode, on
 * the aws and kwok clouds, with cert-manager, and `kubectl kustomize` of deploy/ and its overlays.
 * - Nothing the Deployment needs comes from a hook; no hook, Job or webhook configuration is in the
 *   release (each replica registers the configurations once it answers).
 * - Scaling and UPDATEs that change no spec never reach a Fail webhook; the gate only in mode berth.
 * - Berth's own writes are bounded: RBAC per mode and cloud, and ValidatingAdmissionPolicy
 *   berth-own-writes for Berth's service account.
 * - Off the capacity it buys, one replica a host; probes with 5 s timeouts and a startupProbe.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmBinary, kustomized, manifests, type Manifest } from './support/manifests.js';
import { configurationsToRegister, type WebhookConfiguration } from '../src/operator/webhook-registration.js';

type Obj = Manifest;
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface PodSpec {
  affinity?: {
    nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: unknown[] } };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string }[] };
  };
  tolerations?: { key: string }[];
  hostNetwork?: boolean;
  dnsPolicy?: string;
  volumes: Record<string, unknown>[];
  containers: {
    image: string;
    args: string[];
    ports: { name: string; containerPort: number }[];
    startupProbe?: { timeoutSeconds: number };
    readinessProbe: { timeoutSeconds: number };
    livenessProbe: { timeoutSeconds: number };
  }[];
}

let helm = '';
beforeAll(() => {
  helm = helmBinary();
}, 20 * 60_000);

const parse = manifests;
const render = (values: string[]): Obj[] =>
  parse(
    execFileSync(
      helm,
      ['template', 'berth', 'charts/berth', '-n', 'berth-system', ...values.flatMap((v) => ['--set', v])],
      { encoding: 'utf8' },
    ),
  );
const kustomize = kustomized;

const podSpec = (objs: Obj[]): PodSpec =>
  (objs.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } }).spec
    .template.spec;
const rules = (objs: Obj[]): Rule[] =>
  objs
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) => (o as unknown as { rules: Rule[] }).rules);
const grants = (objs: Obj[], group: string, resource: string, verb: string): boolean =>
  rules(objs).some(
    (r) =>
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      r.resourceNames === undefined,
  );
const declared = (objs: Obj[]): WebhookConfiguration[] => {
  const cm = objs.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('berth-webhooks'),
  ) as unknown as { data: Record<string, string> } | undefined;
  return parse(cm?.data['webhooks.yaml'] ?? '');
};

type Case = [name: string, objs: () => Obj[], mode: string, cloud: 'aws' | 'kwok', certManager: boolean];
const CASES: Case[] = [
  ...(['berth', 'karpenter', 'off'] as const).flatMap((mode): Case[] => [
    [`helm, mode ${mode}, aws`, () => render([`mode=${mode}`, 'crds.karpenter=false']), mode, 'aws', false],
    [`helm, mode ${mode}, kwok`, () => render([`mode=${mode}`, 'settings.cloud=kwok']), mode, 'kwok', false],
  ]),
  ['helm, cert-manager', () => render(['certManager.enabled=true']), 'berth', 'aws', true],
  ['kustomize deploy/', () => kustomize('deploy'), 'berth', 'aws', false],
  ...readdirSync('deploy/overlays').map((d): Case => [
    `kustomize overlays/${d}`,
    () => kustomize(`deploy/overlays/${d}`),
    d.includes('karpenter') ? 'karpenter' : d === 'off' ? 'off' : 'berth',
    'aws',
    false,
  ]),
];

describe.each(CASES)('%s', (_name, objs, mode, cloud, certManager) => {
  let o: Obj[] = [];
  beforeAll(() => {
    o = objs();
  });

  it('installs in any order: no hook, no Job, no webhook configuration, nothing mounted from a Secret', () => {
    expect(
      o.filter((x) => Object.keys(x.metadata.annotations ?? {}).some((k) => k.startsWith('helm.sh/hook'))),
    ).toEqual([]);
    expect(o.map((x) => x.kind)).not.toContain('Job');
    expect(o.map((x) => x.kind)).not.toContain('CronJob');
    expect(o.map((x) => x.kind)).not.toContain('MutatingWebhookConfiguration');
    expect(o.map((x) => x.kind)).not.toContain('ValidatingWebhookConfiguration');
    const spec = podSpec(o);
    expect(spec.volumes.filter((v) => 'secret' in v)).toEqual([]);
    expect(spec.containers[0]?.args).toEqual(
      expect.arrayContaining([
        '--tls-secret=berth-tls',
        '--webhook-owner=berth',
        '--webhooks=/etc/berth/webhooks/webhooks.yaml',
      ]),
    );
    expect(spec.containers[0]?.args.includes('--cert-manager')).toBe(certManager);
  });

  it('registers the gate only in mode berth; scaling and no-spec UPDATEs never reach a Fail webhook', () => {
    const hooks = configurationsToRegister(declared(o), { mode }).flatMap((c) => c.webhooks ?? []);
    expect(hooks.some((h) => h.name === 'gate.berth.dev')).toBe(mode === 'berth');
    for (const h of hooks.filter((x) => x.failurePolicy === 'Fail')) {
      const resources = (h.rules as { resources: string[] }[]).flatMap((r) => r.resources);
      expect(
        resources.filter((r) => r.includes('/')),
        h.name,
      ).toEqual([]);
      expect(
        (h.matchConditions as { name: string }[]).map((c) => c.name),
        h.name,
      ).toContain('spec-changed');
    }
    const scale = hooks.find((h) => h.name === 'scale.berth.dev');
    expect(scale?.failurePolicy).toBe('Ignore');
    expect(scale?.timeoutSeconds).toBeLessThanOrEqual(2);
    for (const c of declared(o))
      expect(c.metadata?.annotations?.['cert-manager.io/inject-ca-from'] !== undefined, c.kind).toBe(
        certManager,
      );
  });

  it("bounds Berth's own writes: RBAC per mode and cloud, and the admission policy on its account", () => {
    expect(grants(o, '', 'pods', 'patch')).toBe(mode === 'berth');
    expect(grants(o, 'autoscaling.x-k8s.io', 'capacitybuffers/status', 'patch')).toBe(mode === 'berth');
    expect(grants(o, '', 'nodes', 'create')).toBe(mode === 'berth' && cloud === 'kwok');
    expect(grants(o, '', 'secrets', 'create')).toBe(!certManager);
    expect(grants(o, '', 'secrets', 'get')).toBe(false);
    const vap = o.find((x) => x.kind === 'ValidatingAdmissionPolicy') as unknown as {
      spec: {
        matchConditions: { expression: string }[];
        matchConstraints: { resourceRules: { resources: string[] }[] };
      };
    };
    expect(vap.spec.matchConditions[0]?.expression).toBe(
      "request.userInfo.username == 'system:serviceaccount:berth-system:berth'",
    );
    expect(vap.spec.matchConstraints.resourceRules.flatMap((r) => r.resources)).toEqual(
      expect.arrayContaining(['pods', 'poddisruptionbudgets', 'secrets', 'validatingwebhookconfigurations']),
    );
    const binding = o.find((x) => x.kind === 'ValidatingAdmissionPolicyBinding') as unknown as {
      spec: { policyName: string; validationActions: string[] };
    };
    expect(binding.spec).toEqual({ policyName: 'berth-own-writes', validationActions: ['Deny'] });
  });

  it('runs off the capacity it buys, one replica a host, with probes that wait 5 s and a startupProbe', () => {
    const spec = podSpec(o);
    expect(JSON.stringify(spec.affinity?.nodeAffinity)).toContain(
      '{"key":"karpenter.sh/nodepool","operator":"DoesNotExist"}',
    );
    expect(
      spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey,
    ).toBe('kubernetes.io/hostname');
    expect((spec.tolerations ?? []).map((t) => t.key)).not.toContain('berth.dev/runtime-class');
    const c = spec.containers[0];
    expect(c?.startupProbe?.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(c?.readinessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(c?.livenessProbe.timeoutSeconds).toBeGreaterThanOrEqual(5);
    expect(c?.args.some((a) => /^--shutdown-delay=[1-9]/.test(a))).toBe(true);
  });
});

describe('charts/berth values for the cluster it lands in', () => {
  it('cert-manager: a Certificate for the Service and a self-signed Issuer, or the issuer named', () => {
    const own = render(['certManager.enabled=true']);
    expect(
      own
        .filter((x) => x.metadata.name.startsWith('berth') && ['Issuer', 'Certificate'].includes(x.kind))
        .map((x) => x.kind)
        .sort(),
    ).toEqual(['Certificate', 'Issuer']);
    const theirs = render([
      'certManager.enabled=true',
      'certManager.issuerRef.kind=ClusterIssuer',
      'certManager.issuerRef.name=internal-ca',
    ]);
    expect(theirs.map((x) => x.kind)).not.toContain('Issuer');
    const cert = theirs.find((x) => x.kind === 'Certificate') as unknown as {
      spec: { secretName: string; dnsNames: string[]; issuerRef: unknown };
    };
    expect(cert.spec).toMatchObject({
      secretName: 'berth-tls',
      dnsNames: ['berth.berth-system.svc', 'berth.berth-system.svc.cluster.local'],
      issuerRef: { kind: 'ClusterIssuer', name: 'internal-ca' },
    });
  });

  it('hostNetwork, dnsPolicy, ports, an image digest and a NetworkPolicy', () => {
    const o = render([
      'hostNetwork=true',
      'ports.webhook=9443',
      'ports.gate=9444',
      'metrics.port=9091',
      'image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      'networkPolicy.enabled=true',
      'networkPolicy.apiServerCIDRs={10.0.0.0/16}',
    ]);
    const spec = podSpec(o);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const c = spec.containers[0];
    expect(c?.image).toBe(
      'ghcr.io/berth-dev/berth@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(c?.ports.map((p) => [p.name, p.containerPort])).toEqual([
      ['https', 9443],
      ['gate', 9444],
      ['metrics', 9091],
    ]);
    expect(c?.args).toEqual(
      expect.arrayContaining(['--port=9443', '--gate-port=9444', '--metrics-port=9091']),
    );
    const gate = configurationsToRegister(declared(o), { mode: 'berth' })
      .flatMap((x) => x.webhooks ?? [])
      .find((h) => h.name === 'gate.berth.dev');
    expect(gate?.clientConfig?.service?.port).toBe(9444);
    const np = o.find((x) => x.kind === 'NetworkPolicy') as unknown as {
      spec: { ingress: { ports: { port: number }[]; from?: unknown[] }[] };
    };
    expect(np.spec.ingress.map((i) => i.ports.map((p) => p.port))).toEqual([[9443, 9444], [9091]]);
    expect(np.spec.ingress[0]?.from).toEqual([{ ipBlock: { cidr: '10.0.0.0/16' } }]);
  });

  it('placement values: off by choice, and an affinity of the values merged in', () => {
    const spec = podSpec(
      render([
        'placement.avoidNodePools=false',
        'placement.oneReplicaPerHost=false',
        'affinity.nodeAffinity.x=1',
      ]),
    );
    expect(spec.affinity).toEqual({ nodeAffinity: { x: 1 } });
  });
});
