/**
 * ValidatingAdmissionPolicies judged by Berth as kube-apiserver judges them: the policies of
 * test/e2e/native-corpus (Kubernetes' documentation examples and a case for each semantic point:
 * matchConstraints and binding matchResources with namespace and object selectors and excluded
 * rules, params by name and by selector with parameterNotFoundAction, matchConditions, variables,
 * message / messageExpression and their fallback, reason, failurePolicy Fail and Ignore on runtime
 * errors, Deny / Warn / Audit, auditAnnotations, the API server's defaults in the object, CEL's and
 * Kubernetes' libraries) are applied to a fresh kube-apiserver; each object of the corpus goes through
 * `kubectl create --dry-run=server` and through `berth check -o json` with the same policies. The
 * verdict, the denial's text and the warnings are equal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { installed, kubectlWith } from './harness.js';

let cp: ControlPlane | undefined;
let kubectl: ReturnType<typeof kubectlWith>;
let dir: string;
const CORPUS = 'test/e2e/native-corpus';

const deployment = (
  name: string,
  ns: string,
  o: { replicas?: number; image?: string; labels?: string; extra?: string; resources?: string } = {},
) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns}, labels: ${o.labels ?? '{ team: web }'} ${o.extra ?? ''} }
spec:
  replicas: ${o.replicas ?? 2}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: ${o.image ?? 'registry.example.com/web:1.0'}
          resources: ${o.resources ?? '{ requests: { cpu: 100m, memory: 128Mi } }'}
`;

const configMap = (name: string, labels: string, data: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: corpus, labels: ${labels} }
data: ${data}
`;

const service = (name: string, ns: string, type: string, ports = '[{ port: 80 }]') => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${ns}, labels: { team: web } }
spec: { type: ${type}, selector: { app: x }, ports: ${ports} }
`;

const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: corpus, labels: { team: web } }
spec:
${spec.replace(/^/gm, '  ')}
`;

const podController = (kind: string, name: string, podSpec: string) => {
  const template = `template:\n  metadata: { labels: { app: ${name} } }\n  spec:\n${podSpec.replace(/^/gm, '    ')}`;
  const indent = (t: string, n: number) => t.replace(/^/gm, ' '.repeat(n));
  const head = `apiVersion: ${kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1'}
kind: ${kind}
metadata: { name: ${name}, namespace: corpus, labels: { team: web } }
spec:
`;
  if (kind === 'Job') return `${head}${indent(template, 2)}\n`;
  if (kind === 'CronJob')
    return `${head}  schedule: '0 * * * *'\n  jobTemplate:\n    spec:\n${indent(template, 6)}\n`;
  return `${head}  selector: { matchLabels: { app: ${name} } }\n${indent(template, 2)}\n`;
};

const CONTAINER = 'name: app\nimage: registry.example.com/web:1.0';
const container = (extra = '') =>
  `containers:\n  - ${CONTAINER.replace('\n', '\n    ')}${extra ? `\n    ${extra.replace(/\n/g, '\n    ')}` : ''}`;

const CASES: Record<string, string> = {
  'pod-ok': pod('pod-ok', container('resources: { limits: { cpu: 500m, memory: 256Mi } }')),
  'pod-host-network': pod('pod-host-network', `hostNetwork: true\n${container()}`),
  'pod-privileged': pod('pod-privileged', container('securityContext: { privileged: true }')),
  'pod-caps-ok': pod(
    'pod-caps-ok',
    container('securityContext: { capabilities: { add: [CHOWN, NET_BIND_SERVICE] } }'),
  ),
  'pod-caps-bad': pod('pod-caps-bad', container('securityContext: { capabilities: { add: [NET_ADMIN] } }')),
  'pod-host-path': pod(
    'pod-host-path',
    `${container()}\nvolumes: [{ name: h, hostPath: { path: /var/log } }]`,
  ),
  'pod-host-port': pod('pod-host-port', container('ports: [{ containerPort: 80, hostPort: 8080 }]')),
  'pod-no-token': pod('pod-no-token', `automountServiceAccountToken: false\n${container()}`),
  'ds-privileged': podController(
    'DaemonSet',
    'ds-privileged',
    container('securityContext: { privileged: true }'),
  ),
  'job-host-pid': podController('Job', 'job-host-pid', `hostPID: true\nrestartPolicy: Never\n${container()}`),
  'cron-ok': podController('CronJob', 'cron-ok', `restartPolicy: OnFailure\n${container()}`),
  'cron-caps': podController(
    'CronJob',
    'cron-caps',
    `restartPolicy: OnFailure\n${container('securityContext: { capabilities: { add: [SYS_ADMIN] } }')}`,
  ),
  'ok-deploy': deployment('ok-deploy', 'corpus'),
  'crd-params-ok': deployment('crd-params-ok', 'corpus', {
    labels: '{ team: web, check: crd-params }',
    replicas: 3,
  }),
  'crd-params-over': deployment('crd-params-over', 'corpus', {
    labels: '{ team: web, check: crd-params }',
    replicas: 4,
  }),
  'env-image-test': deployment('env-image-test', 'corpus', {
    labels: '{ team: web, check: env-images }',
    image: 'test.example.com/web:1.0',
  }),
  'env-image-wrong': deployment('env-image-wrong', 'corpus', {
    labels: '{ team: web, check: env-images }',
    image: 'prod.example.com/web:1.0',
  }),
  'env-image-exempt': deployment('env-image-exempt', 'corpus', {
    labels: "{ team: web, check: env-images, exempt: 'true' }",
    image: 'prod.example.com/web:1.0',
  }),
  'env-image-prod': deployment('env-image-prod', 'corpus-prod', {
    labels: '{ team: web, check: env-images }',
    image: 'prod.example.com/web:1.0',
  }),
  'too-many-replicas-test': deployment('too-many-replicas-test', 'corpus', { replicas: 6 }),
  'too-many-replicas-prod': deployment('too-many-replicas-prod', 'corpus-prod', { replicas: 4 }),
  'prod-ok': deployment('prod-ok', 'corpus-prod', { replicas: 3 }),
  'foreign-image': deployment('foreign-image', 'corpus', { image: 'docker.io/nginx:1.27' }),
  'foreign-image-exempt': deployment('foreign-image-exempt', 'corpus', {
    image: 'docker.io/nginx:1.27',
    extra: ", annotations: { policy.example.com/exempt: 'yes' }",
  }),
  'no-team': deployment('no-team', 'corpus', { labels: '{ app: no-team }' }),
  'no-team-skipped': deployment('no-team-skipped', 'corpus', {
    labels: "{ policy.example.com/skip: 'yes' }",
  }),
  'bad-label-value': deployment('bad-label-value', 'corpus', { labels: '{ team: Web_Team }' }),
  'defaults-latest': deployment('defaults-latest', 'corpus', {
    image: 'registry.example.com/web',
    labels: '{ team: web, check: defaults }',
  }),
  'defaults-tagged': deployment('defaults-tagged', 'corpus', { labels: '{ team: web, check: defaults }' }),
  'big-memory': deployment('big-memory', 'corpus', { resources: '{ limits: { memory: 2Gi } }' }),
  'small-memory': deployment('small-memory', 'corpus', { resources: '{ limits: { memory: 1024Mi } }' }),
  'name-digit-1': deployment('web-1a', 'corpus'),
  'cm-ok': configMap('cm-ok', '{ team: web }', '{ a: b }'),
  'cm-no-team': configMap('cm-no-team', '{ app: x }', '{ a: b }'),
  'cm-error-fail': configMap('cm-error-fail', '{ team: web, errors: fail }', '{ count: "0" }'),
  'cm-error-fail-2': configMap('cm-error-fail-2', '{ team: web, errors: fail }', '{ count: "5" }'),
  'cm-error-ignore': configMap('cm-error-ignore', '{ team: web, errors: ignore }', '{ count: bad }'),
  'cm-error-ignore-ok': configMap('cm-error-ignore-ok', '{ team: web, errors: ignore }', '{ count: ok }'),
  'cm-audit-type': configMap('cm-audit-type', '{ team: web, audit: "yes" }', '{ a: b }'),
  'svc-clusterip': service('svc-clusterip', 'corpus', 'ClusterIP'),
  'svc-lb': service('svc-lb', 'corpus', 'LoadBalancer'),
  'svc-lb-prod': service('svc-lb-prod', 'corpus-prod', 'LoadBalancer'),
  'svc-udp': service('svc-udp', 'corpus', 'ClusterIP', '[{ port: 53, protocol: UDP }]'),
  'svc-target': service('svc-target', 'corpus', 'ClusterIP', '[{ port: 80, targetPort: 8080 }]'),
};

interface Finding {
  rule: string;
  mode: string;
  message: string;
}
interface Result {
  name: string;
  allowed: boolean;
  violations: Finding[];
  /** `-o json` lists warn-mode findings here, as kubectl's `Warning:` lines. */
  warnings: string[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-native-'));
  cp = await startControlPlane(installed('build-control-plane.sh'), join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  for (const f of ['namespaces.yaml', 'policies.yaml']) {
    const applied = kubectl(['apply', '-f', join(CORPUS, f)]);
    expect(applied.code, applied.stderr).toBe(0);
    if (f === 'namespaces.yaml')
      expect(
        kubectl([
          'wait',
          '--for=condition=Established',
          'crd/replicalimits.rules.example.com',
          '--timeout=60s',
        ]).code,
      ).toBe(0);
  }
  // The API server picks policies up through its informers: wait until the plainest denial shows.
  const probe = join(dir, 'probe.yaml');
  writeFileSync(probe, deployment('probe', 'corpus', { replicas: 9 }));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && kubectl(['create', '--dry-run=server', '-f', probe]).code === 0)
    await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 2_000));
}, 1_800_000);

afterAll(async () => {
  await cp?.stop();
});

const native = (v: Result | undefined): Finding[] =>
  (v?.violations ?? []).filter((f) => f.rule.startsWith('ValidatingAdmissionPolicy/'));

describe('ValidatingAdmissionPolicies: Berth judges as kube-apiserver judges', () => {
  it('gives every object of the corpus the same verdict, denial text and warnings', () => {
    const files = Object.entries(CASES).map(([name, yaml]) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, yaml);
      return f;
    });
    const inputs = [join(CORPUS, 'namespaces.yaml'), join(CORPUS, 'policies.yaml')];
    const r = spawnSync(
      process.execPath,
      ['dist/src/cli/main.js', 'check', '-f', ...inputs, ...files, '-o', 'json'],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect([0, 1], r.stderr).toContain(r.status);
    const results = new Map((JSON.parse(r.stdout) as { results: Result[] }).results.map((v) => [v.name, v]));
    const disagree: string[] = [];
    let denied = 0;
    let warned = 0;
    let unsent = 0;
    for (const [i, name] of Object.keys(CASES).entries()) {
      if (process.env.DEBUG_NATIVE === name)
        console.log(kubectl(['create', '--dry-run=server', '-o', 'yaml', '-f', files[i] ?? '']).stdout);
      const api = kubectl(['create', '--dry-run=server', '-f', files[i] ?? '']);
      const objName = /name: ([\w-]+)/.exec(CASES[name] ?? '')?.[1] ?? name;
      const result = results.get(objName);
      const berth = native(result);
      const deny = berth.find((f) => f.mode === 'enforce');
      const apiDenial = / is forbidden: (.*)$/m.exec(api.stderr)?.[1];
      if (api.code !== 0) denied++;
      if (
        (api.code !== 0) !== (deny !== undefined) ||
        (apiDenial !== undefined && apiDenial !== deny?.message)
      )
        disagree.push(
          `${name}: API server ${api.code === 0 ? 'admits' : `denies: ${api.stderr.trim()}`}; Berth ${deny ? `denies: ${deny.message}` : 'admits'}`,
        );
      const apiWarnings = api.stderr
        .split('\n')
        .filter((l) => l.startsWith('Warning: '))
        .map((l) => l.slice('Warning: '.length))
        .sort();
      // A warning kube-apiserver would not send, Berth reports with a note saying so.
      const berthWarnings = (result?.warnings ?? [])
        .filter(
          (w) =>
            w.startsWith('Validation failed for ValidatingAdmissionPolicy') &&
            !w.includes('kubectl shows no Warning'),
        )
        .sort();
      if (apiWarnings.length > 0) warned++;
      if ((result?.warnings ?? []).some((w) => w.includes('kubectl shows no Warning'))) unsent++;
      if (JSON.stringify(apiWarnings) !== JSON.stringify(berthWarnings))
        disagree.push(
          `${name}: API server warns ${JSON.stringify(apiWarnings)}; Berth ${JSON.stringify(berthWarnings)}`,
        );
    }
    expect(disagree).toEqual([]);
    // The corpus holds every side.
    expect(denied).toBeGreaterThan(8);
    expect(warned).toBeGreaterThan(0);
    // pod-no-token: its failed expression spans lines, a warning kube-apiserver drops.
    expect(unsent).toBe(1);
    expect(Object.keys(CASES).length - denied).toBeGreaterThan(5);
  });
});

/** Policies the API server refuses to create (their expressions), and two it accepts. */
const POLICIES: Record<string, string> = {
  'vap-not-bool': 'validations: [{ expression: object.spec.replicas }]',
  'vap-message-not-string':
    "validations: [{ expression: 'true', messageExpression: 'object.spec.replicas > 1' }]",
  'vap-syntax': "validations: [{ expression: 'object.spec.replicas >' }]",
  'vap-undeclared': "validations: [{ expression: 'foo.bar == 1' }]",
  'vap-condition-string':
    "matchConditions: [{ name: c, expression: \"'x'\" }]\nvalidations: [{ expression: 'true' }]",
  'vap-annotation-int':
    "validations: [{ expression: 'true' }]\nauditAnnotations: [{ key: n, valueExpression: 'size(object.spec)' }]",
  'vap-typed-variable':
    "variables: [{ name: big, expression: 'object.spec.replicas > 5' }]\nvalidations: [{ expression: '!variables.big' }]",
  'vap-libraries':
    "validations: [{ expression: \"quantity('1Gi').isGreaterThan(quantity('1Mi')) && ip('10.0.0.1').family() == 4 && semver('1.2.3').major() == 1 && '%d'.format([1]) == '1' && [1,2].all(i, v, v > i) && sets.contains([1], [1]) && url('https://a.b').getHost() == 'a.b' && cidr('10.0.0.0/8').containsIP('10.1.1.1') && !format.dns1123Label().validate('ok').hasValue()\" }]",
};

describe('ValidatingAdmissionPolicies the API server refuses', () => {
  it('are refused by berth check too, in the API server words where they are its own', () => {
    const disagree: string[] = [];
    let refused = 0;
    let ownWords = 0;
    for (const [name, body] of Object.entries(POLICIES)) {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(
        f,
        `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${name} }
spec:
  matchConstraints:
    resourceRules: [{ apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments] }]
${body.replace(/^/gm, '  ')}
`,
      );
      const api = kubectl(['create', '--dry-run=server', '-f', f]);
      const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'check', '-f', f, '-o', 'json'], {
        encoding: 'utf8',
      });
      const verdict = (JSON.parse(r.stdout) as { results: Result[] }).results[0];
      const refusal = native(verdict).find((v) => v.mode === 'enforce')?.message;
      if ((api.code !== 0) !== (refusal !== undefined)) {
        disagree.push(
          `${name}: API server ${api.code === 0 ? 'accepts' : `refuses: ${api.stderr.trim()}`}; Berth ${refusal ?? 'accepts'}`,
        );
        continue;
      }
      // The return-type refusals are the API server's own words (the CEL compiler's differ).
      if (api.code !== 0) refused++;
      const words = / is invalid: (.*must evaluate to.*)$/m.exec(api.stderr)?.[1];
      if (words !== undefined) ownWords++;
      if (words !== undefined && !refusal?.includes(words))
        disagree.push(`${name}: API server says "${words}"; Berth: ${refusal ?? ''}`);
    }
    expect(disagree).toEqual([]);
    // Both sides of the corpus: six refused, three of them in the API server's own words.
    expect(refused).toBe(6);
    expect(ownWords).toBe(3);
  });
});
