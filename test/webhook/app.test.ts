/** The webhook over supertest: real AdmissionReview JSON in, AdmissionReview out, for every path. */
import { readFileSync } from 'node:fs';
import jsonpatch, { type Operation } from 'fast-json-patch';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import type { AdmissionReviewOut } from '../../src/admission/review.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { compile } from '../../src/policies/compile/compile.js';
import { defaultPolicies } from '../../src/policies/policies.js';
import type { WorkloadProfile } from '../../src/policies/schema/profile-schema.js';
import { webhookOf } from '../../src/webhook/app.js';
import { examplesView, policiesFrom, review, testApp, yamlObject, webPod } from './harness.js';

const profile = (name: string, disruption: string, minReplicas = 3): KubeObject =>
  yamlObject(`
apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: ${name}, namespace: payments }
spec:
  runtimeClass: general
  availability: { minReplicas: ${minReplicas}, zoneSpread: required }
  scaling: { maxReplicas: 50, maxBurstPods: 5 }
  compute: { cpuRequest: 500m, memoryRequest: 768Mi }
  disruption: { ${disruption} }
  cost: { spotAllowed: false }
`);

const deployment = (name: string, ns: string, replicas: number | undefined, labels = ''): KubeObject =>
  yamlObject(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns}, uid: 0f0c6b3e-1111-2222-3333-${name.padEnd(12, '0').slice(0, 12)}, labels: { app.kubernetes.io/name: ${name} ${labels} } }
spec:
  ${replicas === undefined ? '' : `replicas: ${replicas}`}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: registry.example.com/${name}:1.0.0
          resources: { requests: { cpu: 250m, memory: 512Mi }, limits: { memory: 512Mi } }
      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: { matchLabels: { app: ${name} } } }
`);

const pdb = (name: string, ns: string, budget: string): KubeObject =>
  yamlObject(`
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: ${name}, namespace: ${ns} }
spec: { ${budget}, selector: { matchLabels: { app: ${name} } } }
`);

function policiesWithMode(rule: string, mode: string) {
  const original = readFileSync('policies.yaml', 'utf8');
  const text = original.replace(new RegExp(`(\\n  ${rule}: \\{ mode: )\\w+`), `$1${mode}`);
  if (text === original) throw new Error(`policies.yaml has no line for ${rule}`);
  return policiesFrom(text);
}

async function post(app: Parameters<typeof request>[0], path: string, body: unknown) {
  const res = await request(app)
    .post(path)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
  return { status: res.status, body: res.body as AdmissionReviewOut & { error?: string } };
}

describe('validate', () => {
  it('denies the DESIGN example profile with the arithmetic and the fix, echoing the uid', async () => {
    const { app } = testApp();
    const r = await post(
      app,
      '/validate',
      review('CREATE', profile('billing-api', 'minAvailable: 80%'), { uid: 'u-1' }),
    );
    expect(r.status).toBe(200);
    expect(r.body.apiVersion).toBe('admission.k8s.io/v1');
    expect(r.body.kind).toBe('AdmissionReview');
    expect(r.body.response.uid).toBe('u-1');
    expect(r.body.response.allowed).toBe(false);
    expect(r.body.response.status?.code).toBe(403);
    expect(r.body.response.status?.message).toMatch(
      /^\[profile-undrainable\] WorkloadProfile payments\/billing-api: .*80% of 3 rounds up to 3.*; fix: /,
    );
  });

  it('admits the fixed profile', async () => {
    const { app } = testApp();
    const r = await post(app, '/validate', review('CREATE', profile('billing-api', 'minAvailable: 66%')));
    expect(r.body.response).toMatchObject({ allowed: true });
    expect(r.body.response.status).toBeUndefined();
  });

  it('reports several enforced findings, one per line, in catalogue order', async () => {
    const { app } = testApp();
    const broken = profile('broken', 'minAvailable: 100%');
    (broken.spec as { runtimeClass: string }).runtimeClass = 'gpu';
    (broken.spec as { cost: { spotAllowed: boolean } }).cost.spotAllowed = true;
    const r = await post(app, '/validate', review('CREATE', broken));
    const lines = r.body.response.status?.message.split('\n') ?? [];
    expect(lines.map((l) => /^\[([a-z-]+)\]/.exec(l)?.[1])).toEqual([
      'profile-spot-forbidden',
      'profile-undrainable',
    ]);
  });

  it('catches a scale-down to an undrainable count on UPDATE', async () => {
    const view = examplesView([pdb('orders', 'payments', 'minAvailable: 2')]);
    const { app } = testApp({ view });
    const before = deployment('orders', 'payments', 4);
    const after = deployment('orders', 'payments', 2);
    const up = await post(
      app,
      '/validate',
      review('UPDATE', deployment('orders', 'payments', 5), { oldObject: before }),
    );
    expect(up.body.response.allowed).toBe(true);
    const down = await post(app, '/validate', review('UPDATE', after, { oldObject: before }));
    expect(down.body.response.allowed).toBe(false);
    expect(down.body.response.status?.message).toContain('[pdb-blocks-eviction] Deployment payments/orders');
    expect(down.body.response.status?.message).toContain('at 2 replicas');
  });

  it('lets an unrelated update through a violation that was already there, as a warning', async () => {
    const view = examplesView([pdb('orders', 'payments', 'minAvailable: 3')]);
    const { app } = testApp({ view });
    const old = deployment('orders', 'payments', 3);
    const create = await post(app, '/validate', review('CREATE', old));
    expect(create.body.response.allowed).toBe(false);
    const next = deployment('orders', 'payments', 3);
    (
      next.spec as { template: { spec: { containers: { image: string }[] } } }
    ).template.spec.containers[0]!.image = 'registry.example.com/orders:1.0.1';
    const update = await post(app, '/validate', review('UPDATE', next, { oldObject: old }));
    expect(update.body.response.allowed).toBe(true);
    expect(update.body.response.warnings?.some((w) => w.includes('(already so before this update)'))).toBe(
      true,
    );
    for (const w of update.body.response.warnings ?? []) expect(w.length).toBeLessThan(120);
  });

  it('maps kubectl scale (the Scale subresource) onto the workload it scales', async () => {
    const current = deployment('orders', 'payments', 4);
    const view = examplesView([current, pdb('orders', 'payments', 'minAvailable: 2')]);
    const { app } = testApp({ view });
    const scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'orders', namespace: 'payments' },
      spec: { replicas: 2 },
    };
    const body = review('UPDATE', scale, {
      subResource: 'scale',
      oldObject: { ...scale, spec: { replicas: 4 } },
    });
    const denied = await post(app, '/validate', body);
    expect(denied.body.response.allowed).toBe(false);
    expect(denied.body.response.status?.message).toContain('at 2 replicas');
    const mutated = await post(app, '/mutate', body);
    expect(mutated.body.response).toEqual({ uid: body.request.uid, allowed: true });
  });

  it('answers a dry run with the same verdict and no side effects', async () => {
    const onDecision = vi.fn();
    const { app } = testApp({ onDecision });
    const wet = await post(
      app,
      '/validate',
      review('CREATE', profile('billing-api', 'minAvailable: 80%'), { uid: 'x' }),
    );
    const dry = await post(
      app,
      '/validate',
      review('CREATE', profile('billing-api', 'minAvailable: 80%'), { uid: 'x', dryRun: true }),
    );
    expect(dry.body).toEqual(wet.body);
    expect(onDecision).toHaveBeenCalledTimes(1);
  });

  it('puts warn-mode findings in warnings (each under 120 characters) and allows', async () => {
    const view = examplesView([pdb('orders', 'apps', 'minAvailable: 3')]);
    const { app } = testApp({ view, policies: policiesWithMode('pdb-blocks-eviction', 'warn') });
    const r = await post(app, '/validate', review('CREATE', deployment('orders', 'apps', 3)));
    expect(r.body.response.allowed).toBe(true);
    expect(r.body.response.warnings?.[0]).toMatch(/^\[pdb-blocks-eviction\]/);
    for (const w of r.body.response.warnings ?? []) expect(w.length).toBeLessThan(120);
  });

  it('records audit-mode findings without telling the user, and counts them', async () => {
    const view = examplesView([pdb('orders', 'apps', 'minAvailable: 3')]);
    const { app, deps } = testApp({ view, policies: policiesWithMode('pdb-blocks-eviction', 'audit') });
    const r = await post(app, '/validate', review('CREATE', deployment('orders', 'apps', 3)));
    expect(r.body.response.allowed).toBe(true);
    expect(r.body.response.warnings ?? []).not.toContainEqual(expect.stringContaining('pdb-blocks-eviction'));
    expect(r.body.response.auditAnnotations?.violations).toContain('[pdb-blocks-eviction]');
    const text = await deps.metrics.registry.metrics();
    expect(text).toMatch(
      /berth_rule_violations_total\{rule="pdb-blocks-eviction",mode="audit",kind="Deployment"\} 1/,
    );
  });

  it('ignores DELETE, kinds without rules, and pods a controller owns', async () => {
    const { app } = testApp();
    const del = await post(
      app,
      '/validate',
      review('DELETE', undefined, { oldObject: deployment('x', 'apps', 1) }),
    );
    expect(del.body.response.allowed).toBe(true);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'apps' }, data: {} };
    for (const path of ['/validate', '/mutate']) {
      const r = await post(app, path, review('CREATE', cm, { uid: 'cm' }));
      expect(r.body.response).toEqual({ uid: 'cm', allowed: true });
    }
    const pod = yamlObject(`
apiVersion: v1
kind: Pod
metadata: { name: web-abc, namespace: apps, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-6d, uid: u, controller: true }] }
spec: { containers: [{ name: app, image: nginx }] }
`);
    const r = await post(app, '/validate', review('CREATE', pod, { uid: 'p' }));
    expect(r.body.response).toEqual({ uid: 'p', allowed: true });
  });
});

describe('mutate', () => {
  it('answers with a base64 JSONPatch that turns the Deployment into its compiled form, once', async () => {
    const view = examplesView();
    const { app } = testApp({ view });
    const original = deployment('checkout', 'payments', undefined, ', berth.dev/profile: checkout');
    const r = await post(app, '/mutate', review('CREATE', original));
    expect(r.body.response.allowed).toBe(true);
    expect(r.body.response.patchType).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(r.body.response.patch ?? '', 'base64').toString()) as Operation[];
    const patched = jsonpatch.applyPatch(structuredClone(original), ops).newDocument;
    const wp = view.profile('payments', 'checkout') as WorkloadProfile;
    expect(patched).toEqual(compile(original, wp, defaultPolicies(), view.nodePools).object);
    expect((patched.spec as { replicas: number }).replicas).toBe(3);
    expect(patched.metadata?.labels?.['berth.dev/runtime-class']).toBe('general');
    const again = await post(app, '/mutate', review('UPDATE', patched, { oldObject: patched }));
    expect(again.body.response.patch).toBeUndefined();
    const validated = await post(app, '/validate', review('CREATE', patched));
    expect(validated.body.response.allowed).toBe(true);
    expect(validated.body.response.warnings ?? []).not.toContainEqual(expect.stringContaining('pdb-missing'));
  });

  it('routes by path whatever the API server appends: ?timeout=, a trailing slash', async () => {
    const { app } = testApp({ view: examplesView() });
    const original = deployment('checkout', 'payments', undefined, ', berth.dev/profile: checkout');
    for (const path of ['/mutate?timeout=5s', '/mutate/', '/Mutate']) {
      const r = await post(app, path, review('CREATE', original));
      expect(r.body.response.patchType, path).toBe('JSONPatch');
    }
    for (const path of ['/validate?timeout=5s', '/validate/']) {
      const r = await post(app, path, review('CREATE', original));
      expect(r.body.response.patch, path).toBeUndefined();
      expect(r.body.response.allowed, path).toBe(true);
    }
  });

  it.each([
    ['/mutate', 'mutate'],
    ['/MUTATE/?timeout=10s', 'mutate'],
    ['/validate', 'validate'],
    ['/Validate?x=/y', 'validate'],
    ['/gate', 'gate'],
    ['/GATE/?timeout=2s', 'gate'],
    ['/gates', undefined],
    ['/validate//', undefined],
    ['/validated', undefined],
    ['/mutate/x', undefined],
    ['/', undefined],
    ['', undefined],
    ['/healthz', undefined],
  ])('webhookOf(%j) is %s', (url, want) => {
    expect(webhookOf(url)).toBe(want);
  });

  it('/gate puts a new pod behind the scheduling gate while a provisioner leads with gates on', async () => {
    const pod = webPod();
    const view = examplesView();
    const policies = defaultPolicies();
    for (const [on, want] of [
      [true, [{ op: 'add', path: '/spec/schedulingGates', value: [{ name: 'berth.dev/capacity' }] }]],
      [false, undefined],
    ] as const) {
      const { app } = testApp({
        context: () => ({ view, policies, today: '2026-11-21', schedulingGates: on }),
      });
      const r = await post(app, '/gate', review('CREATE', pod, { uid: 'g-1' }));
      expect(r.status).toBe(200);
      expect(r.body.response.uid).toBe('g-1');
      expect(r.body.response.allowed).toBe(true);
      const patch = r.body.response.patch;
      expect(patch === undefined ? undefined : JSON.parse(Buffer.from(patch, 'base64').toString())).toEqual(
        want,
      );
    }
  });

  it('answers other methods on the webhook paths with 404', async () => {
    const { app } = testApp();
    const r = await request(app).get('/validate');
    expect(r.status).toBe(404);
  });

  it('validates the PDB the profile will generate before the controller creates it', async () => {
    const undrainable = profile('strict', 'maxUnavailable: 0');
    const view = examplesView([undrainable]);
    const { app } = testApp({ view });
    const original = deployment('strict', 'payments', 3, ', berth.dev/profile: strict');
    const r = await post(app, '/validate', review('CREATE', original));
    expect(r.body.response.allowed).toBe(false);
    expect(r.body.response.status?.message).toContain('PodDisruptionBudget strict-berth');
  });
});

describe('bad requests get a 4xx with a reason, never a 5xx', () => {
  const { app } = testApp();
  const cases: [string, string | Buffer, number, RegExp][] = [
    ['not JSON', '{"apiVersion":', 400, /not valid JSON/],
    ['a JSON array', '[]', 400, /not a JSON object/],
    [
      'wrong apiVersion',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: {} }),
      400,
      /apiVersion/,
    ],
    [
      'wrong kind',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'Review' }),
      400,
      /kind must be AdmissionReview/,
    ],
    [
      'no request',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      400,
      /request is missing/,
    ],
    [
      'no uid',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE' },
      }),
      400,
      /uid/,
    ],
    [
      'bad operation',
      JSON.stringify(review('CREATE', undefined)).replace('"CREATE"', '"PATCH"'),
      400,
      /operation/,
    ],
    ['too large', Buffer.alloc(7 * 1024 * 1024, 0x20), 413, /larger than/],
  ];
  it.each(cases)('%s', async (_name, body, status, reason) => {
    const res = await request(app).post('/validate').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(status);
    expect((res.body as { error: string }).error).toMatch(reason);
  });

  it('refuses a body that is not JSON by content type', async () => {
    const res = await request(app).post('/mutate').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
  });
});

describe('deadline, internal failure and readiness', () => {
  it('answers a review it cannot start in time in the failure mode, not with an error', async () => {
    let t = 0;
    const now = () => (t += 5000);
    const closed = testApp({ now, deadlineMs: 4000 });
    const r = await post(
      closed.app,
      '/validate',
      review('CREATE', profile('x', 'minAvailable: 1'), { uid: 'late' }),
    );
    expect(r.status).toBe(200);
    expect(r.body.response).toMatchObject({ uid: 'late', allowed: false, status: { code: 503 } });
    t = 0;
    const open = testApp({ now, deadlineMs: 4000, failOpen: true });
    const o = await post(
      open.app,
      '/validate',
      review('CREATE', profile('x', 'minAvailable: 1'), { uid: 'late' }),
    );
    expect(o.body.response.allowed).toBe(true);
    expect(o.body.response.warnings?.[0]).toContain('deadline');
  });

  it('turns an exception inside Berth into a well-formed answer', async () => {
    const { app } = testApp({
      context: () => {
        throw new Error('cache exploded');
      },
    });
    const r = await post(app, '/validate', review('CREATE', profile('x', 'minAvailable: 1'), { uid: 'e' }));
    expect(r.status).toBe(200);
    expect(r.body.response.status?.message).toContain('cache exploded');
  });

  it('fails /readyz until every check passes and says which one', async () => {
    let synced = false;
    const { app } = testApp({
      checks: () => [
        synced
          ? { name: 'caches', ok: true }
          : { name: 'caches', ok: false, detail: 'not synced yet: PodDisruptionBudget' },
      ],
    });
    const before = await request(app).get('/readyz');
    expect(before.status).toBe(503);
    expect(before.text).toContain('[-]caches failed: not synced yet: PodDisruptionBudget');
    synced = true;
    const after = await request(app).get('/readyz');
    expect(after.status).toBe(200);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });
});
