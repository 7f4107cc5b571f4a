/**
 * charts/berth and deploy/ never drift: the chart rendered with its defaults gives the objects of
 * `kubectl kustomize deploy/`, and with the beside-Karpenter values those of each overlay. Helm is
 * built from the Go module proxy by test/e2e/install-helm.sh (cached); without Go this fails and says
 * why, it never skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmBinary, kustomized, manifests, type Manifest } from './support/manifests.js';

type Obj = Manifest;

let helm = '';
beforeAll(() => {
  helm = helmBinary();
}, 20 * 60_000);

const parse = manifests;

/** Helm's own labels and annotations, and kustomize's name hash, are not the objects' meaning. */
const HELM_LABELS = [
  'helm.sh/chart',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/version',
];
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string'
      ? value.replace(/^(berth-settings|berth-webhooks)-[a-z0-9]{10}$/, '$1')
      : value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // The webhook configurations Berth registers: compared as objects, not as text.
    if (k === 'webhooks.yaml' && typeof v === 'string') {
      out[k] = normalize(parse(v));
      continue;
    }
    if (k === 'labels' || k === 'annotations') {
      const kept = Object.entries(v as Record<string, string>).filter(
        ([lk]) => !HELM_LABELS.includes(lk) && !lk.startsWith('helm.sh/') && !lk.startsWith('checksum/'),
      );
      if (kept.length > 0) out[k] = normalize(Object.fromEntries(kept));
      continue;
    }
    out[k] = normalize(v);
  }
  return out;
}
const keyOf = (o: Obj) => `${o.kind} ${o.metadata.namespace ?? ''}/${normalize(o.metadata.name) as string}`;
function index(objs: Obj[]): Map<string, unknown> {
  return new Map(objs.map((o) => [keyOf(o), normalize(o)]));
}

function render(values: string[]): Obj[] {
  const args = [
    'template',
    'berth',
    'charts/berth',
    '--namespace',
    'berth-system',
    '--include-crds',
    ...values.flatMap((v) => ['--set', v]),
  ];
  return parse(execFileSync(helm, args, { encoding: 'utf8' }));
}
const kustomize = kustomized;

const BESIDE_KARPENTER = ['mode=karpenter', 'crds.karpenter=false'];
const CASES: [string, string[]][] = [
  ['deploy/', []],
  ['deploy/overlays/with-karpenter', BESIDE_KARPENTER],
  ['deploy/overlays/with-kyverno', ['crds.policyReports=false']],
  ['deploy/overlays/with-karpenter-and-kyverno', [...BESIDE_KARPENTER, 'crds.policyReports=false']],
  ['deploy/overlays/off', ['mode=off']],
];

describe('charts/berth', () => {
  it.each(CASES)('renders the objects of %s (values %j)', (dir, values) => {
    const chart = index(render(values));
    // The chart leaves the namespace to `helm install --create-namespace`.
    const deploy = index(kustomize(dir).filter((o) => o.kind !== 'Namespace'));
    expect([...chart.keys()].sort()).toEqual([...deploy.keys()].sort());
    for (const [key, obj] of deploy) expect({ key, obj: chart.get(key) }).toEqual({ key, obj });
  });

  it("renders deploy/gate-policy's MutatingAdmissionPolicy where the API server serves it, in mode berth only", () => {
    const served = ['--api-versions', 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy'];
    const gatePolicies = (extra: string[]) =>
      parse(
        execFileSync(helm, ['template', 'berth', 'charts/berth', '--namespace', 'berth-system', ...extra], {
          encoding: 'utf8',
        }),
      ).filter((o) => o.kind === 'MutatingAdmissionPolicy');
    const chart = gatePolicies(served);
    expect(chart.map((o) => normalize(o))).toEqual(kustomize('deploy/gate-policy').map((o) => normalize(o)));
    expect(gatePolicies([])).toEqual([]);
    expect(gatePolicies([...served, '--set', 'mode=karpenter', '--set', 'crds.karpenter=false'])).toEqual([]);
  });

  it('keeps its copies of the CRDs and policies.yaml equal to deploy/', () => {
    expect(readFileSync('charts/berth/files/policies.yaml', 'utf8')).toBe(
      readFileSync('deploy/berth/policies.yaml', 'utf8'),
    );
    expect(readFileSync('charts/berth/crds/workloadprofiles.berth.dev.yaml', 'utf8')).toBe(
      readFileSync('deploy/crds/workloadprofiles.berth.dev.yaml', 'utf8'),
    );
    for (const [dir, copy] of [
      ['deploy/karpenter-crds', 'charts/berth/files/karpenter-crds'],
      ['deploy/report-crds', 'charts/berth/files/report-crds'],
    ] as const)
      for (const f of readdirSync(dir).filter((f) => f !== 'kustomization.yaml'))
        expect(readFileSync(join(copy, f), 'utf8'), f).toBe(readFileSync(join(dir, f), 'utf8'));
  });

  // Karpenter's chart: serviceMonitor.relabelings, metricRelabelings, endpointConfig, sampleLimit; the
  // dashboards' job="karpenter" is one relabeling away.
  it('renders the ServiceMonitor with relabelings, metric relabelings, endpoint fields and a sample limit', () => {
    const objs = render([
      'serviceMonitor.enabled=true',
      'serviceMonitor.relabelings[0].targetLabel=job',
      'serviceMonitor.relabelings[0].replacement=karpenter',
      'serviceMonitor.metricRelabelings[0].action=drop',
      'serviceMonitor.metricRelabelings[0].regex=nodejs_.*',
      'serviceMonitor.endpointConfig.scrapeTimeout=10s',
      'serviceMonitor.sampleLimit=5000',
    ]);
    const sm = objs.find((o) => o.kind === 'ServiceMonitor') as unknown as {
      spec: { sampleLimit: number; endpoints: Record<string, unknown>[] };
    };
    expect(sm.spec.sampleLimit).toBe(5000);
    expect(sm.spec.endpoints).toEqual([
      {
        port: 'metrics',
        path: '/metrics',
        interval: '30s',
        relabelings: [{ targetLabel: 'job', replacement: 'karpenter' }],
        metricRelabelings: [{ action: 'drop', regex: 'nodejs_.*' }],
        scrapeTimeout: '10s',
      },
    ]);
  });

  // Least privilege per mode: beside Karpenter (mode karpenter) or with the provisioner off, Berth writes
  // none of Karpenter's objects, no Node and no Pod; only mode berth grants those verbs.
  it.each([
    ['chart, mode berth', () => render([]), true],
    ['chart, mode karpenter', () => render(['mode=karpenter', 'crds.karpenter=false']), false],
    ['chart, mode off', () => render(['mode=off']), false],
    ['kustomize deploy/', () => kustomize('deploy'), true],
    ['kustomize with-karpenter', () => kustomize('deploy/overlays/with-karpenter'), false],
  ] as const)('%s: writes on Karpenter objects, Nodes and Pods only in mode berth', (_what, objs, writes) => {
    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
    const rules = objs()
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => (o as unknown as { rules: Rule[] }).rules);
    const READ = new Set(['get', 'list', 'watch']);
    const guarded = (r: Rule, res: string) =>
      r.resources.some((x) => x === res || x.startsWith(`${res}/`)) && r.verbs.some((v) => !READ.has(v));
    const writing = [
      ...['nodepools', 'nodeclaims', 'ec2nodeclasses'].filter((res) =>
        rules.some(
          (r) =>
            (r.apiGroups.includes('karpenter.sh') || r.apiGroups.includes('karpenter.k8s.aws')) &&
            guarded(r, res),
        ),
      ),
      ...['nodes', 'pods'].filter((res) => rules.some((r) => r.apiGroups.includes('') && guarded(r, res))),
    ];
    if (writes)
      expect(writing.sort()).toEqual(['ec2nodeclasses', 'nodeclaims', 'nodepools', 'nodes', 'pods']);
    else expect(writing).toEqual([]);
    // Both read what the rules and caches need.
    expect(rules.some((r) => r.resources.includes('nodepools') && r.verbs.includes('watch'))).toBe(true);
  });

  it('takes the policies.yaml berth init writes as a value, and refuses one whose mode is not the chart’s', async () => {
    const { berth, tmp } = await import('./support/cli.js');
    const init = await berth('init', '--nodepools', 'test/karpenter-examples/v1/general-purpose.yaml');
    const file = join(tmp({ 'policies.yaml': init.out }), 'policies.yaml');
    const args = (mode: string) => [
      'template',
      'berth',
      'charts/berth',
      '--set',
      `mode=${mode}`,
      '--set-file',
      `policies=${file}`,
    ];
    const objs = parse(execFileSync(helm, args('karpenter'), { encoding: 'utf8' }));
    const cm = objs.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'berth-policies',
    ) as unknown as {
      data: Record<string, string>;
    };
    expect(cm.data['policies.yaml']).toBe(init.out);
    const refused = spawnSync(helm, args('berth'), { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      "the policies value has provisioner.mode: karpenter but the chart's mode is berth",
    );
  });

  it('mounts the region’s price list given as a value, and passes it to berth serve', () => {
    const file = 'test/regions/eu-west-1/prices.json';
    const args = [
      'template',
      'berth',
      'charts/berth',
      '--set',
      'settings.region=eu-west-1',
      '--set-file',
      `prices=${file}`,
    ];
    const objs = parse(execFileSync(helm, args, { encoding: 'utf8' }));
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'berth-prices') as unknown as {
      data: Record<string, string>;
    };
    expect(cm.data['prices.json']).toBe(readFileSync(file, 'utf8'));
    const text = JSON.stringify(objs.find((o) => o.kind === 'Deployment'));
    expect(text).toContain('--prices=/etc/berth/prices/prices.json');
    expect(text).toContain('"mountPath":"/etc/berth/prices"');
    const without = execFileSync(helm, ['template', 'berth', 'charts/berth'], { encoding: 'utf8' });
    expect(without).not.toContain('berth-prices');
  });

  it('passes helm lint', () => {
    expect(() =>
      execFileSync(helm, ['lint', 'charts/berth', '--strict'], { encoding: 'utf8' }),
    ).not.toThrow();
  });

  it('takes the values a platform team sets', () => {
    const objs = render([
      'settings.clusterName=prod',
      'settings.region=eu-west-1',
      'settings.interruptionQueue=prod-interruptions',
      'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::1:role/berth',
      'webhook.failurePolicy=Ignore',
      'webhook.timeoutSeconds=10',
      'webhook.excludeNamespaces={kube-system,monitoring}',
      'replicas=3',
      'priorityClassName=',
      'podDisruptionBudget.enabled=false',
      'serviceMonitor.enabled=true',
      'dashboard.enabled=true',
    ]);
    // What the assertions below read of each object (the rendered YAML is untyped).
    const get = (kind: string, name: string): unknown =>
      objs.find((o) => o.kind === kind && o.metadata.name === name);
    type ConfigMap = { data: Record<string, string> };
    type Hooks = {
      webhooks: {
        failurePolicy: string;
        timeoutSeconds: number;
        namespaceSelector: { matchExpressions: { values: string[] }[] };
      }[];
    };
    type Deployment = {
      spec: {
        replicas: number;
        template: { spec: { priorityClassName?: string; containers: { args: string[] }[] } };
      };
    };
    expect((get('ConfigMap', 'berth-settings') as ConfigMap & Obj).data).toEqual({
      CLUSTER_NAME: 'prod',
      AWS_REGION: 'eu-west-1',
    });
    expect((get('ServiceAccount', 'berth') as Obj).metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/berth',
    });
    const deployment = get('Deployment', 'berth') as Deployment & Obj;
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.priorityClassName).toBeUndefined();
    const args = deployment.spec.template.spec.containers[0]?.args;
    expect(args).toEqual(
      expect.arrayContaining(['--deadline-ms=9000', '--interruption-queue=prod-interruptions']),
    );
    const registered = parse((get('ConfigMap', 'berth-webhooks') as ConfigMap).data['webhooks.yaml'] ?? '');
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      const hook = (registered.find((o) => o.kind === kind) as unknown as Hooks).webhooks[0];
      expect(hook?.failurePolicy).toBe('Ignore');
      expect(hook?.timeoutSeconds).toBe(10);
      expect(hook?.namespaceSelector.matchExpressions[0]?.values).toEqual([
        'kube-system',
        'monitoring',
        'berth-system',
      ]);
    }
    expect(objs.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(
      (get('ServiceMonitor', 'berth') as { spec: { endpoints: { port: string }[] } } & Obj).spec.endpoints[0]
        ?.port,
    ).toBe('metrics');
    const dashboard = get('ConfigMap', 'berth-dashboard') as ConfigMap & Obj;
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    expect((JSON.parse(dashboard.data['berth-dashboard.json'] ?? '{}') as { title?: string }).title).toMatch(
      /Berth/,
    );
  });

  it('refuses a mode it does not know, and a timeout past the API server limit', () => {
    expect(() => render(['mode=kyverno'])).toThrow(/mode must be berth, karpenter or off/);
    expect(() => render(['webhook.timeoutSeconds=31'])).toThrow(/at most 30/);
  });
});
