/**
 * What the API server refuses, `berth check` refuses: a generated corpus of Deployments, CronJobs and
 * Pods whose container resources hold valid and invalid quantities (the resource.Quantity grammar and
 * its edge cases, negative values, a request above its limit), Deployments with negative replicas,
 * PodDisruptionBudgets and HPAs with good and bad budgets and bounds, goes through a fresh kube-apiserver with
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

const deployment = (name: string, resources: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: corpus }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0.0
          resources: ${resources}
`;
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

describe('validity as the API server judges it: container resources, counts and budgets', () => {
  it('refuses exactly what kube-apiserver refuses, in its words', () => {
    const cases = corpus();
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
    const verdicts = new Map(
      (JSON.parse(r.stdout) as { results: Verdict[] }).results.map((v) => [v.name, v]),
    );
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
