/**
 * What the API server refuses, `berth check` refuses: a generated corpus of Deployments, CronJobs and
 * Pods whose container resources hold valid and invalid quantities (the resource.Quantity grammar and
 * its edge cases, negative values, a request above its limit), Deployments with negative replicas,
 * PodDisruptionBudgets and HPAs with good and bad budgets and bounds, pod specs with good and bad
 * container names, images, ports, env names, restartPolicies (Deployments, Jobs, Pods), nodeSelectors,
 * tolerations and topology spread constraints, CronJob schedules, label selectors (Deployments, PDBs,
 * spread constraints), a PDB's unhealthyPodEvictionPolicy and an HPA's target and metrics, goes through a fresh kube-apiserver with
 * `kubectl create --dry-run=server` and through `berth check -o json`. For every object the API server
 * refuses, Berth reports `object-invalid` with the API server's words; for every object it accepts,
 * Berth does not. No webhook is registered here: the API server alone is the oracle.
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

/** Quantities: the grammar's forms and edges, valid and not. */
const QUANTITIES: readonly (string | number)[] = [
  '1',
  '1.5',
  '500m',
  '0.5',
  '.5',
  '5.',
  '+1',
  '0',
  '-0',
  '1e3',
  '1E3',
  '1e-3',
  '1E+3',
  '1k',
  '1Ki',
  '1.5Gi',
  '1.0Gi',
  '100M',
  '2Ti',
  '1n',
  '1u',
  1,
  1.5,
  0,
  '1.5.0',
  'banana',
  '512MB',
  '1,5',
  '',
  '1e',
  '1Mi1',
  '0x10',
  '1 ',
  ' 1',
  '1ee3',
  'e3',
  'Ki',
  '1KiB',
  '12Ki3',
  '--1',
  '1..5',
  'm',
  '1mm',
  '1.5Gb',
  '-1',
  '-100m',
  '-0.5Gi',
  -1,
  -2.5,
];

interface Case {
  name: string;
  yaml: string;
}

/** A Deployment whose pod spec holds `spec` (YAML flow mappings of the fields under test). */
const withSpec = (name: string, containers: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: corpus }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: ${containers}
${extra ? `      ${extra}\n` : ''}`;
const APP = (more = '') => `[{ name: app, image: registry.example.com/app:1.0.0${more} }]`;
const deployment = (name: string, resources: string) => withSpec(name, APP(`, resources: ${resources}`));
const cronJob = (name: string, resources: string) => `apiVersion: batch/v1
kind: CronJob
metadata: { name: ${name}, namespace: corpus }
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: registry.example.com/job:1.0.0
              resources: ${resources}
`;
const pod = (name: string, resources: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: corpus }
spec:
  initContainers:
    - name: init
      image: registry.example.com/init:1.0.0
      resources: ${resources}
  containers:
    - name: app
      image: registry.example.com/app:1.0.0
`;

/** Container names, images, ports, env names; restartPolicy by controller; nodeSelector; tolerations; spread. */
function podSpecCases(): Case[] {
  const containers = [
    APP(),
    '[{ name: App, image: x }]',
    '[{ name: my.app, image: x }]',
    `[{ name: ${'a'.repeat(64)}, image: x }]`,
    '[{ name: app, image: x }, { name: app, image: y }]',
    '[{ name: app }]',
    '[{ name: "", image: x }]',
    APP(', ports: [{ containerPort: 8080, name: http }]'),
    APP(', ports: [{ containerPort: 0 }]'),
    APP(', ports: [{ containerPort: 70000 }]'),
    APP(', ports: [{ containerPort: 80, hostPort: 70000 }]'),
    APP(', ports: [{ containerPort: 80, name: HTTP }]'),
    APP(', ports: [{ containerPort: 80, name: "8080" }]'),
    APP(', ports: [{ containerPort: 80, name: a-very-long-port-name }]'),
    APP(', ports: [{ containerPort: 80, name: web--x }]'),
    APP(', ports: [{ containerPort: 80, name: -web }]'),
    APP(', ports: [{ containerPort: 80, name: web }, { containerPort: 81, name: web }]'),
    APP(', ports: [{ containerPort: 80, protocol: tcp }]'),
    APP(', ports: [{ containerPort: 80, protocol: SCTP }]'),
    APP(', env: [{ name: MY_VAR, value: "1" }]'),
    APP(', env: [{ name: 1st.var-name, value: "1" }]'),
    APP(', env: [{ name: "A=B", value: "1" }]'),
    APP(', env: [{ name: "", value: "1" }]'),
    APP(', env: [{ name: "caf\\u00e9", value: "1" }]'),
  ];
  const extras = [
    'restartPolicy: OnFailure',
    'restartPolicy: Always',
    'restartPolicy: Sometimes',
    'nodeSelector: { "bad key!": x }',
    'nodeSelector: { disk: "not ok" }',
    'nodeSelector: { kubernetes.io/arch: arm64 }',
    'tolerations: [{ operator: Exists }]',
    'tolerations: [{ key: dedicated, operator: Exists, value: gpu }]',
    'tolerations: [{ operator: Equal, value: x }]',
    'tolerations: [{ key: dedicated, operator: In, value: x }]',
    'tolerations: [{ key: dedicated, value: "a b" }]',
    'tolerations: [{ key: dedicated, value: x, effect: NoScheduleNow }]',
    'tolerations: [{ key: dedicated, value: x, effect: NoSchedule, tolerationSeconds: 30 }]',
    'tolerations: [{ key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30 }]',
    'tolerations: [{ key: "bad key", operator: Exists }]',
    'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule }]',
    'topologySpreadConstraints: [{ maxSkew: 0, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule }]',
    'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "", whenUnsatisfiable: DoNotSchedule }]',
    'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Never }]',
    'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2 }]',
    'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, minDomains: 0 }]',
    'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule }, { maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule }]',
  ];
  const out: Case[] = containers.map((c, i) => ({
    name: `spec-ctr-${i}`,
    yaml: withSpec(`spec-ctr-${i}`, c),
  }));
  extras.forEach((e, i) => out.push({ name: `spec-pod-${i}`, yaml: withSpec(`spec-pod-${i}`, APP(), e) }));
  // restartPolicy by controller: a Job's template allows OnFailure and Never, a Pod any of the three.
  for (const [i, policy] of ['', 'Always', 'Never', 'OnFailure', 'Sometimes'].entries()) {
    const line = policy ? `restartPolicy: ${policy}` : '';
    out.push({
      name: `job-restart-${i}`,
      yaml: `apiVersion: batch/v1
kind: Job
metadata: { name: job-restart-${i}, namespace: corpus }
spec:
  template:
    spec:
      ${line}
      containers: ${APP()}
`,
    });
    out.push({
      name: `pod-restart-${i}`,
      yaml: `apiVersion: v1
kind: Pod
metadata: { name: pod-restart-${i}, namespace: corpus }
spec:
  ${line}
  containers: ${APP()}
`,
    });
  }
  return out;
}

/** CronJob schedules: the five-field grammar, names, steps, descriptors, and what robfig/cron refuses. */
function scheduleCases(): Case[] {
  const schedules = [
    '0 2 * * *',
    '*/15 * * * *',
    '0 9-17 * * MON-FRI',
    '0 0 1 jan,jul *',
    '@daily',
    '@every 1h30m',
    '5 4 * * sun',
    '0 2 * *',
    '0 2 * * * *',
    '60 * * * *',
    '0 24 * * *',
    '0 0 0 * *',
    '0 0 * 13 *',
    '0 0 * * 7',
    '5-1 * * * *',
    '*/0 * * * *',
    'a * * * *',
    '1-2-3 * * * *',
    '1/2/3 * * * *',
    '@fortnightly',
    '@every 1d',
    'TZ=UTC 0 2 * * *',
    '-1 * * * *',
  ];
  return schedules.map((schedule, i) => ({
    name: `cron-schedule-${i}`,
    yaml: `apiVersion: batch/v1
kind: CronJob
metadata: { name: cron-schedule-${i}, namespace: corpus }
spec:
  schedule: ${JSON.stringify(schedule)}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: ${APP()}
`,
  }));
}

/** Label selectors (Deployments, PDBs, spread constraints), a PDB's eviction policy, an HPA's target and metrics. */
function selectorCases(): Case[] {
  const selectors = [
    'matchLabels: { app: NAME }',
    'matchLabels: { app: NAME }, matchExpressions: [{ key: tier, operator: In, values: [] }]',
    'matchLabels: { app: NAME }, matchExpressions: [{ key: tier, operator: Exists, values: [a] }]',
    'matchLabels: { app: NAME }, matchExpressions: [{ key: tier, operator: Has }]',
    'matchLabels: { app: NAME }, matchExpressions: [{ key: "bad key", operator: DoesNotExist }]',
    'matchLabels: { app: NAME }, matchExpressions: [{ key: tier, operator: NotIn, values: ["a b"] }]',
  ];
  const out: Case[] = selectors.map((sel, i) => {
    const name = `sel-dep-${i}`;
    return {
      name,
      yaml: withSpec(name, APP()).replace(
        `selector: { matchLabels: { app: ${name} } }`,
        `selector: { ${sel.replace('NAME', name)} }`,
      ),
    };
  });
  selectors.forEach((sel, i) =>
    out.push({
      name: `sel-pdb-${i}`,
      yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: sel-pdb-${i}, namespace: corpus }
spec: { minAvailable: 1, selector: { ${sel.replace('NAME', 'x')} } }
`,
    }),
  );
  for (const [i, policy] of ['AlwaysAllow', 'IfHealthyBudget', 'Never'].entries())
    out.push({
      name: `pdb-eviction-${i}`,
      yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: pdb-eviction-${i}, namespace: corpus }
spec: { minAvailable: 1, unhealthyPodEvictionPolicy: ${policy}, selector: { matchLabels: { app: x } } }
`,
    });
  out.push({
    name: 'sel-spread-0',
    yaml: withSpec(
      'sel-spread-0',
      APP(),
      'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: { matchExpressions: [{ key: app, operator: In }] } }]',
    ),
  });
  const hpas = [
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 0 } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment }\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, name: web }\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  metrics: [{ type: Resource, resource: { name: memory, target: { type: AverageValue, averageValue: 512Mi } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Percent, averageUtilization: 70 } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  metrics: [{ type: Resource, resource: { target: { type: Utilization, averageUtilization: 70 } } }]',
  ];
  // Kubernetes 1.37 (HPAScaleToZero on): minReplicas 0 with an External metric that can wake the target.
  hpas.push(
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  minReplicas: 0\n  metrics: [{ type: External, external: { metric: { name: queue_depth }, target: { type: AverageValue, averageValue: "30" } } }]',
    'scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  minReplicas: -1\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]',
  );
  hpas.forEach((body, i) =>
    out.push({
      name: `hpa-fields-${i}`,
      yaml: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: hpa-fields-${i}, namespace: corpus }
spec:
  maxReplicas: 5
  ${body}
`,
    }),
  );
  return out;
}

function corpus(): Case[] {
  const cases: Case[] = [];
  const lit = (q: string | number) => JSON.stringify(q);
  QUANTITIES.forEach((q, i) => {
    cases.push({
      name: `dep-cpu-${i}`,
      yaml: deployment(`dep-cpu-${i}`, `{ requests: { cpu: ${lit(q)} } }`),
    });
    cases.push({
      name: `dep-mem-${i}`,
      yaml: deployment(`dep-mem-${i}`, `{ limits: { memory: ${lit(q)} } }`),
    });
  });
  // Unquoted, as people write them: YAML reads some as numbers, the rest as strings.
  for (const [i, raw] of ['1.5.0', '512MB', '-1', '1.5', '0.5', '1e3'].entries())
    cases.push({
      name: `dep-raw-${i}`,
      yaml: deployment(`dep-raw-${i}`, `{ requests: { cpu: ${raw}, memory: ${raw} } }`),
    });
  for (const [i, [req, lim]] of [
    ['2', '1'],
    ['500m', '1'],
    ['1000m', '1'],
    ['1.5Gi', '1Gi'],
    ['1Gi', '1.5Gi'],
    ['1024Mi', '1Gi'],
    ['1025Mi', '1Gi'],
  ].entries()) {
    const res = (key: string) => `{ requests: { ${key}: "${req}" }, limits: { ${key}: "${lim}" } }`;
    cases.push({ name: `dep-cpu-over-${i}`, yaml: deployment(`dep-cpu-over-${i}`, res('cpu')) });
    cases.push({ name: `dep-mem-over-${i}`, yaml: deployment(`dep-mem-over-${i}`, res('memory')) });
  }
  // Counts and budgets: replicas, a PDB's minAvailable and maxUnavailable, an HPA's bounds.
  for (const [i, r] of [-1, 0, 3].entries())
    cases.push({
      name: `dep-replicas-${i}`,
      yaml: deployment(`dep-replicas-${i}`, '{}').replace('replicas: 1', `replicas: ${r}`),
    });
  for (const [i, budget] of [
    'minAvailable: 1',
    'maxUnavailable: "50%"',
    'minAvailable: "120%"',
    'minAvailable: -1',
    'minAvailable: "abc"',
    'minAvailable: 1, maxUnavailable: 1',
    'maxUnavailable: "0%"',
    'minAvailable: "100%"',
    'maxUnavailable: 0',
  ].entries())
    cases.push({
      name: `pdb-${i}`,
      yaml: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: pdb-${i}, namespace: corpus }
spec: { ${budget}, selector: { matchLabels: { app: x } } }
`,
    });
  for (const [i, [min, max]] of [
    [1, 3],
    [0, 3],
    [3, 1],
    [2, 0],
    [5, 5],
    [undefined, 3],
  ].entries())
    cases.push({
      name: `hpa-${i}`,
      yaml: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: hpa-${i}, namespace: corpus }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  ${min === undefined ? '' : `minReplicas: ${min}`}
  maxReplicas: ${max}
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]
`,
    });
  cases.push(...podSpecCases(), ...scheduleCases(), ...selectorCases());
  for (const [i, q] of ['banana', '-1', '250m'].entries()) {
    cases.push({ name: `cron-${i}`, yaml: cronJob(`cron-${i}`, `{ requests: { cpu: ${lit(q)} } }`) });
    cases.push({ name: `pod-${i}`, yaml: pod(`pod-${i}`, `{ limits: { memory: ${lit(q)} } }`) });
  }
  return cases;
}

interface Verdict {
  name: string;
  violations: { rule: string; message: string }[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-validity-'));
  cp = await startControlPlane(installed('build-control-plane.sh'), join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  expect(kubectl(['create', 'namespace', 'corpus']).code).toBe(0);
}, 1_800_000);

afterAll(async () => {
  await cp?.stop();
});

/** The cases written to files, and `berth check -o json`'s verdict for each, by object name. */
function checked(cases: readonly Case[]): { files: string[]; verdicts: Map<string, Verdict> } {
  const files = cases.map((c) => {
    const f = join(dir, `${c.name}.yaml`);
    writeFileSync(f, c.yaml);
    return f;
  });
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'check', '-f', ...files, '-o', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect([0, 1], r.stderr).toContain(r.status);
  const results = (JSON.parse(r.stdout) as { results: Verdict[] }).results;
  return { files, verdicts: new Map(results.map((v) => [v.name, v])) };
}

describe('validity as the API server judges it: container resources, counts and budgets', () => {
  it('refuses exactly what kube-apiserver refuses, in its words', () => {
    const cases = corpus();
    const { files, verdicts } = checked(cases);
    const disagree: string[] = [];
    let refused = 0;
    for (const [i, c] of cases.entries()) {
      const api = kubectl(['create', '--dry-run=server', '-f', files[i] ?? '']);
      const invalid = verdicts.get(c.name)?.violations.find((v) => v.rule === 'object-invalid');
      if (api.code !== 0) refused++;
      if ((api.code !== 0) !== (invalid !== undefined)) {
        disagree.push(
          `${c.name}: API server ${api.code === 0 ? 'accepts' : `refuses (${api.stderr.trim()})`}; Berth ${invalid ? `refuses (${invalid.message})` : 'accepts'}`,
        );
        continue;
      }
      if (!invalid) continue;
      // One field error: Berth's message holds the API server's, word for word.
      const detail = / is invalid: (.*)$/m.exec(api.stderr.trim())?.[1];
      if (
        detail !== undefined &&
        !detail.startsWith('[') &&
        !detail.includes('{') &&
        !invalid.message.includes(detail)
      )
        disagree.push(`${c.name}: the API server says "${detail}"; Berth: ${invalid.message}`);
      // The API server's words: the decode error's, or the field error's.
      for (const words of [
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        'must be greater than or equal to 0',
        'must be less than or equal to',
      ])
        if (api.stderr.includes(words) && !invalid.message.includes(words))
          disagree.push(`${c.name}: the API server says "${words}"; Berth: ${invalid.message}`);
    }
    expect(disagree).toEqual([]);
    // The corpus holds both sides.
    expect(refused).toBeGreaterThan(20);
    expect(cases.length - refused).toBeGreaterThan(20);
  });
});

/** WorkloadProfiles: what the CRD's schema refuses (kubectl validates strictly: unknown fields too). */
function profileCases(): Case[] {
  const specs = [
    'runtimeClass: general',
    'runtimeClass: general, availability: { minReplicas: 3, zoneSpread: required }, disruption: { minAvailable: "80%" }',
    'runtimeClass: General',
    'availability: { minReplicas: 2 }',
    'runtimeClass: general, availability: { minReplicas: 0 }',
    'runtimeClass: general, availability: { zoneSpread: sometimes }',
    'runtimeClass: general, compute: { cpuRequest: banana }',
    'runtimeClass: general, compute: { memoryRequest: 512MB }',
    'runtimeClass: general, compute: { cpuRequest: 500m, memoryRequest: 1.5Gi }',
    'runtimeClass: general, scaling: { maxReplicas: 0 }',
    'runtimeClass: general, disruption: { minAvailable: 1, maxUnavailable: 1 }',
    'runtimeClass: general, disruption: { maxUnavailable: "-1" }',
    'runtimeClass: general, cost: { spotAllowed: "yes" }',
    'runtimeClass: general, replicas: 3',
  ];
  return specs.map((spec, i) => ({
    name: `profile-${i}`,
    yaml: `apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: profile-${i}, namespace: corpus }
spec: { ${spec} }
`,
  }));
}

describe('validity as the API server judges it: WorkloadProfiles against their CRD', () => {
  it('refuses exactly the profiles the CRD refuses', () => {
    expect(kubectl(['apply', '-f', 'deploy/crds/workloadprofiles.berth.dev.yaml']).code).toBe(0);
    expect(
      kubectl(['wait', '--for=condition=Established', 'crd/workloadprofiles.berth.dev', '--timeout=60s'])
        .code,
    ).toBe(0);
    const cases = profileCases();
    const { files, verdicts } = checked(cases);
    const disagree: string[] = [];
    let refused = 0;
    for (const [i, c] of cases.entries()) {
      const api = kubectl(['create', '--dry-run=server', '-f', files[i] ?? '']);
      const schema = verdicts
        .get(c.name)
        ?.violations.find((v) => v.rule === 'profile-schema' || v.rule === 'object-invalid');
      if (api.code !== 0) refused++;
      if ((api.code !== 0) !== (schema !== undefined))
        disagree.push(
          `${c.name}: API server ${api.code === 0 ? 'accepts' : `refuses (${api.stderr.trim()})`}; Berth ${schema ? `refuses (${schema.message})` : 'accepts'}`,
        );
    }
    expect(disagree).toEqual([]);
    expect(refused).toBeGreaterThan(5);
    expect(cases.length - refused).toBeGreaterThan(1);
  });
});
