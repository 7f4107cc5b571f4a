/** deploy/ as shipped: what the webhook configurations promise, and the copies kept in step. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  webhooks?: {
    name: string;
    timeoutSeconds: number;
    sideEffects: string;
    failurePolicy: string;
    namespaceSelector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
    rules: { apiGroups: string[]; resources: string[]; scope: string }[];
    clientConfig: { service: { path: string } };
    matchConditions?: { name: string; expression: string }[];
  }[];
  spec?: Record<string, unknown>;
}

const built = execFileSync('kubectl', ['kustomize', 'deploy/'], { encoding: 'utf8' });
const docs = parseAllDocuments(built).map((d) => d.toJS() as Doc & { data?: Record<string, string> });
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
/** What each replica registers: the berth-webhooks ConfigMap's manifest (berth serve --webhooks). */
const registered = parseAllDocuments(
  byKind('ConfigMap').find((d) => d.metadata.name.startsWith('berth-webhooks-'))?.data?.['webhooks.yaml'] ??
    '',
).map((d) => d.toJS() as Doc);

describe('deploy/', () => {
  it('ships the repository policies.yaml in its ConfigMap', () => {
    expect(readFileSync('deploy/berth/policies.yaml', 'utf8')).toBe(readFileSync('policies.yaml', 'utf8'));
    const cm = byKind('ConfigMap').find((d) => d.metadata.name === 'berth-policies');
    expect(cm).toBeDefined();
  });

  it('registers no webhook configuration itself: each replica does once it answers', () => {
    expect(byKind('MutatingWebhookConfiguration')).toEqual([]);
    expect(byKind('ValidatingWebhookConfiguration')).toEqual([]);
    expect(byKind('Job')).toEqual([]);
    expect(byKind('CronJob')).toEqual([]);
    expect(built).not.toContain('helm.sh/hook');
  });

  it('has both webhook configurations, safe to fail', () => {
    const hooks = registered.flatMap((d) => d.webhooks ?? []);
    expect(registered.map((d) => d.kind).sort()).toEqual([
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
    ]);
    expect(hooks.map((h) => h.name).sort()).toEqual([
      'gate.berth.dev',
      'mutate.berth.dev',
      'review.berth.dev',
      'scale.berth.dev',
      'validate.berth.dev',
    ]);
    // NodePool review: cluster-scoped objects (no namespace to select), and fails open, so a Berth
    // outage never keeps the platform team from fixing the pools Berth itself runs on.
    const review = hooks.find((h) => h.name === 'review.berth.dev');
    expect(review?.failurePolicy).toBe('Ignore');
    expect(review?.clientConfig.service.path).toBe('/validate');
    expect(review?.rules.map((r) => [r.apiGroups, r.resources, r.scope])).toEqual([
      [['karpenter.sh'], ['nodepools'], 'Cluster'],
      [['karpenter.k8s.aws'], ['ec2nodeclasses'], 'Cluster'],
      [['eks.amazonaws.com'], ['nodeclasses'], 'Cluster'],
    ]);
    for (const h of hooks) {
      if (h === review) continue;
      expect(h.timeoutSeconds).toBeLessThanOrEqual(5);
      expect(h.sideEffects).toBe('None');
      expect(['Fail', 'Ignore']).toContain(h.failurePolicy);
      const excluded = h.namespaceSelector.matchExpressions.find(
        (e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn',
      );
      expect(excluded?.values).toEqual(expect.arrayContaining(['kube-system', 'berth-system']));
    }
    // The scheduling gate fails open: a pod Berth cannot answer for is created ungated.
    const gate = hooks.find((h) => h.name === 'gate.berth.dev');
    expect(gate?.failurePolicy).toBe('Ignore');
    expect(gate?.rules.flatMap((r) => r.resources)).toEqual(['pods']);
    const validate = hooks.find((h) => h.name === 'validate.berth.dev');
    expect(validate?.rules.flatMap((r) => r.resources)).toEqual(
      expect.arrayContaining(['poddisruptionbudgets', 'horizontalpodautoscalers', 'workloadprofiles']),
    );
    // Scaling never waits on a Fail webhook: /scale goes to scale.berth.dev (Ignore), scale-downs only.
    for (const h of hooks.filter((x) => x.failurePolicy === 'Fail'))
      expect(
        h.rules.flatMap((r) => r.resources).filter((r) => r.endsWith('/scale')),
        h.name,
      ).toEqual([]);
    const scale = hooks.find((h) => h.name === 'scale.berth.dev');
    expect(scale?.failurePolicy).toBe('Ignore');
    expect(scale?.rules.flatMap((r) => r.resources)).toEqual([
      'deployments/scale',
      'statefulsets/scale',
      'replicasets/scale',
      'replicationcontrollers/scale',
    ]);
    // An UPDATE that changes no spec never reaches a Fail webhook (labels, finalizers, metadata).
    for (const h of hooks.filter((x) => x.failurePolicy === 'Fail'))
      expect(
        h.matchConditions?.map((c) => c.name),
        h.name,
      ).toContain('spec-changed');
  });

  it("answers within the webhooks' timeout", () => {
    const deploy = byKind('Deployment').find((d) => d.metadata.name === 'berth');
    const args = JSON.stringify(deploy?.spec);
    const deadline = Number(/--deadline-ms=(\d+)/.exec(args)?.[1]);
    expect(deadline).toBeGreaterThan(0);
    expect(deadline).toBeLessThan(5000);
  });

  it('keeps the IAM policy a valid JSON policy document', () => {
    const policy = JSON.parse(readFileSync('deploy/iam/provisioner-policy.json', 'utf8')) as {
      Version: string;
      Statement: unknown[];
    };
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
  });

  it('grants every AWS call the source makes, and each action it grants is explained in deploy/iam/README.md', () => {
    const policy = JSON.parse(readFileSync('deploy/iam/provisioner-policy.json', 'utf8')) as {
      Statement: { Action: string | string[] }[];
    };
    const granted = new Set(
      policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    );
    const prefix: Record<string, string> = { ec2: 'ec2', ssm: 'ssm', iam: 'iam', eks: 'eks', sqs: 'sqs' };
    const called = new Set<string>();
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? files(join(dir, e.name))
          : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
            ? [join(dir, e.name)]
            : [],
      );
    for (const file of files('src')) {
      const text = readFileSync(file, 'utf8');
      const services = [...text.matchAll(/from '@aws-sdk\/client-(\w+)'/g)].map((m) => m[1] ?? '');
      for (const m of text.matchAll(/new (\w+)Command\(/g))
        for (const service of services) {
          const sdk = readFileSync(
            `node_modules/@aws-sdk/client-${service}/dist-types/commands/index.d.ts`,
            'utf8',
          );
          if (sdk.includes(`./${m[1] ?? ''}Command`))
            called.add(`${prefix[service] ?? service}:${m[1] ?? ''}`);
        }
    }
    expect(called.size).toBeGreaterThan(15);
    for (const action of called) expect(granted, action).toContain(action);
    const readme = readFileSync('deploy/iam/README.md', 'utf8');
    for (const action of granted) expect(readme, action).toContain(`\`${action}\``);
  });
});

/** Every kustomization a user may apply: deploy/ itself and each overlay. */
const overlays = ['deploy', ...readdirSync('deploy/overlays').map((d) => `deploy/overlays/${d}`)];
const render = (dir: string) =>
  parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).map(
    (d) => d.toJS() as Doc & { data?: Record<string, string>; spec?: { names?: { kind?: string } } },
  );
const modeOf = (objects: ReturnType<typeof render>) =>
  /^ {2}mode: (\w+)/m.exec(
    objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'berth-policies')?.data?.[
      'policies.yaml'
    ] ?? '',
  )?.[1];

describe('installing beside Karpenter', () => {
  it.each(overlays)(
    '%s ships no NodePool or EC2NodeClass, and beside Karpenter runs in mode karpenter',
    (dir) => {
      const objects = render(dir);
      const kinds = objects.map((o) => o.kind);
      expect(kinds).not.toContain('NodePool');
      expect(kinds).not.toContain('EC2NodeClass');
      expect(kinds).not.toContain('NodeClaim');
      const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name);
      const besideKarpenter = dir.includes('with-karpenter');
      if (besideKarpenter) {
        expect(crds.filter((n) => n.endsWith('karpenter.sh') || n.endsWith('karpenter.k8s.aws'))).toEqual([]);
        expect(modeOf(objects)).toBe('karpenter');
      } else {
        expect(modeOf(objects)).toBe(dir.endsWith('/off') ? 'off' : 'berth');
      }
    },
  );

  it("keeps the beside-Karpenter and provisioner-off policies.yaml the repository's, but for the mode", () => {
    const beside = readFileSync('deploy/components/beside-karpenter/policies.yaml', 'utf8');
    const off = readFileSync('deploy/components/provisioner-off/policies.yaml', 'utf8');
    const root = readFileSync('policies.yaml', 'utf8');
    // To refresh them: sed 's/^  mode: berth    /  mode: karpenter/' policies.yaml > deploy/components/beside-karpenter/policies.yaml
    // and sed 's/^  mode: berth /  mode: off   /' policies.yaml > deploy/components/provisioner-off/policies.yaml
    expect(beside).toBe(root.replace(/^ {2}mode: berth {4}/m, '  mode: karpenter'));
    expect(off).toBe(root.replace(/^ {2}mode: berth /m, '  mode: off   '));
  });

  it('names every sample NodePool and EC2NodeClass berth-…, so none can overwrite a cluster’s own', () => {
    const samples = render('deploy/nodepools');
    expect(samples.length).toBeGreaterThan(0);
    for (const o of samples) expect(o.metadata.name, `${o.kind} ${o.metadata.name}`).toMatch(/^berth(-|$)/);
  });
});
