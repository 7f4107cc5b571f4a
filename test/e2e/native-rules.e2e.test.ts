/**
 * Berth's rules as ValidatingAdmissionPolicies, on a real kube-apiserver:
 *  - the differential: `berth policies vap` applied, each object of test/native-rules/corpus.yaml goes
 *    through `kubectl create --dry-run=server` and `berth check`; for the generated rules, the API
 *    server denies exactly what Berth enforces, in Berth's words, and warns exactly what Berth warns
 *    of — under the default policies and with every generated rule enforced;
 *  - `berth serve` keeps them applied while policies.yaml sets nativePolicies.rules (and takes them
 *    away when it does not), and with every replica stopped the API server still denies an EC2NodeClass
 *    whose metadata service answers pods (its review webhook, failurePolicy Ignore, no longer can).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startControlPlane, type ControlPlane } from './control-plane.js';
import {
  eventually,
  installed,
  kubectlWith,
  loopbackCerts,
  registerWebhooks,
  startBerth,
  type Berth,
} from './harness.js';

let cp: ControlPlane | undefined;
let kubectl: ReturnType<typeof kubectlWith>;
let dir: string;
const CORPUS = 'test/native-rules/corpus.yaml';

interface Finding {
  rule: string;
  mode: string;
  message: string;
}
interface Result {
  kind: string;
  name: string;
  violations: Finding[];
  warnings: string[];
  kubectlWarnings?: string[];
}

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** policies.yaml as shipped, every generated rule in `mode` when given, nativePolicies.rules as given. */
function policiesFile(name: string, o: { mode?: string; rules?: boolean }): string {
  const doc = parseAllDocuments(readFileSync('policies.yaml', 'utf8'))[0]?.toJS() as {
    rules: Record<string, { mode: string }>;
    nativePolicies: { rules: boolean };
  };
  const generated = cli(['policies', 'vap', '-o', 'json', '-q']);
  const judged = (
    JSON.parse(generated.stdout) as {
      items: { kind: string; metadata: { labels: Record<string, string> } }[];
    }
  ).items
    .filter((i) => i.kind === 'ValidatingAdmissionPolicy')
    .map((i) => i.metadata.labels['berth.dev/rule'] ?? '');
  if (o.mode !== undefined)
    for (const id of judged) doc.rules[id] = { ...(doc.rules[id] ?? {}), mode: o.mode };
  doc.nativePolicies = { rules: o.rules ?? false };
  const f = join(dir, name);
  writeFileSync(f, stringify(doc));
  return f;
}

const GENERATED = 'app.kubernetes.io/managed-by=berth,berth.dev/rule';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-native-rules-'));
  cp = await startControlPlane(installed('build-control-plane.sh'), join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  const r = kubectl(['apply', '-k', 'deploy/']);
  expect(r.code, r.stderr).toBe(0);
  expect(kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).code).toBe(0);
  // The differential judges with the policies alone: no webhook answers here until the serve test.
  kubectl(['delete', 'validatingwebhookconfiguration', 'berth', 'mutatingwebhookconfiguration', 'berth']);
  expect(kubectl(['create', 'namespace', 'apps']).code).toBe(0);
}, 1_800_000);

afterAll(async () => {
  await cp?.stop();
});

/** Applies the generated objects of a policies.yaml, those of another removed, and waits for them to judge. */
async function applyGenerated(policies: string): Promise<void> {
  kubectl(['delete', 'validatingadmissionpolicybindings,validatingadmissionpolicies', '-l', GENERATED]);
  kubectl(['delete', 'configmaps', '-n', 'berth-system', '-l', GENERATED]);
  const g = cli(['policies', 'vap', '--policies', policies, '-q']);
  expect(g.status, g.stderr).toBe(0);
  const applied = kubectl(['apply', '-f', '-'], g.stdout);
  expect(applied.code, applied.stderr).toBe(0);
  // The API server picks policies up through its informers: a naked pod's finding shows once they judge.
  // The probe breaks naked-pod alone: where several enforced policies deny, the API server names only
  // the first, and their order is a Go map's (generic/policy_source.go), not naked-pod's every time.
  const probe = join(dir, 'probe.yaml');
  writeFileSync(
    probe,
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: probe, namespace: apps, labels: { app.kubernetes.io/name: probe } }',
      'spec:',
      '  containers:',
      '    - name: c',
      '      image: busybox',
      '      resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { cpu: 10m, memory: 16Mi } }',
      '',
    ].join('\n'),
  );
  await eventually(
    'the generated policies judging',
    () => {
      const r = kubectl(['create', '--dry-run=server', '-f', probe]);
      return r.stderr.includes("ValidatingAdmissionPolicy 'berth-naked-pod'");
    },
    60_000,
  );
  await new Promise((r) => setTimeout(r, 2_000));
}

const docs = parseAllDocuments(readFileSync(CORPUS, 'utf8')).map(
  (d) => d.toJS() as { kind: string; metadata: { name: string } },
);

/** Each corpus object through the API server and berth check; what disagrees, said. */
function differential(policies: string): { disagree: string[]; denied: number; warned: number } {
  const judged = new Set(
    (
      cli(['policies', 'vap', '--policies', policies, '-o', 'json', '-q']).stdout.match(
        /"berth\.dev\/rule": "([a-z-]+)"/g,
      ) ?? []
    ).map((m) => m.split('"')[3] ?? ''),
  );
  const check = cli(['check', '-f', CORPUS, '--policies', policies, '-o', 'json']);
  expect([0, 1], check.stderr).toContain(check.status);
  const results = (JSON.parse(check.stdout) as { results: Result[] }).results;
  const disagree: string[] = [];
  let denied = 0;
  let warned = 0;
  for (const [i, d] of docs.entries()) {
    const f = join(dir, `corpus-${i}.yaml`);
    writeFileSync(f, stringify(d));
    const api = kubectl(['create', '--dry-run=server', '-f', f]);
    const mine = results.find((r) => r.kind === d.kind && r.name === d.metadata.name);
    const ruleOf = (text: string) => /^\[([a-z-]+)\]/.exec(text)?.[1] ?? '';
    const enforced = (mine?.violations ?? [])
      .filter((v) => v.mode === 'enforce' && judged.has(v.rule))
      .map((v) => v.message);
    const warnings = (mine?.kubectlWarnings ?? []).filter((w) => judged.has(ruleOf(w))).sort();
    const denial = /denied request: (.*)$/m.exec(api.stderr)?.[1];
    const apiWarnings = api.stderr
      .split('\n')
      .filter((l) => l.startsWith("Warning: Validation failed for ValidatingAdmissionPolicy 'berth-"))
      .map((l) =>
        l.replace(
          /^Warning: Validation failed for ValidatingAdmissionPolicy '[^']+' with binding '[^']+': /,
          '',
        ),
      )
      .sort();
    const what = `${d.kind} ${d.metadata.name}`;
    if (api.code !== 0) denied++;
    if (apiWarnings.length > 0) warned++;
    if ((api.code !== 0) !== enforced.length > 0 || (denial !== undefined && !enforced.includes(denial)))
      disagree.push(
        `${what}: API server ${api.code === 0 ? 'admits' : api.stderr.trim()}; Berth enforces ${JSON.stringify(enforced)}`,
      );
    if (JSON.stringify(apiWarnings) !== JSON.stringify(warnings))
      disagree.push(
        `${what}: API server warns ${JSON.stringify(apiWarnings)}; Berth ${JSON.stringify(warnings)}`,
      );
  }
  return { disagree, denied, warned };
}

describe("Berth's rules as ValidatingAdmissionPolicies: the API server says what Berth says", () => {
  it('under the default policies: the same denials and warnings, word for word', async () => {
    const policies = policiesFile('default.yaml', {});
    await applyGenerated(policies);
    const r = differential(policies);
    expect(r.disagree).toEqual([]);
    expect(r.denied).toBeGreaterThanOrEqual(2); // nodeclass-imds-open is enforced by default
    expect(r.warned).toBeGreaterThan(10);
  });

  it('with every generated rule enforced: the same denials, word for word', async () => {
    const policies = policiesFile('enforced.yaml', { mode: 'enforce' });
    await applyGenerated(policies);
    const r = differential(policies);
    expect(r.disagree).toEqual([]);
    expect(r.denied).toBeGreaterThan(15);
  });

  it('with every generated rule warned: every finding of every rule, word for word', async () => {
    const policies = policiesFile('warned.yaml', { mode: 'warn' });
    await applyGenerated(policies);
    const r = differential(policies);
    expect(r.disagree).toEqual([]);
    expect(r.denied).toBe(0);
    expect(r.warned).toBeGreaterThan(15);
  });
});

describe('berth serve keeps them applied; with every replica stopped they still deny', () => {
  const replicas: Berth[] = [];
  afterAll(async () => {
    for (const b of replicas) await b.stop();
  });

  it('applies them while nativePolicies.rules is true, removes them when false, and they outlive the replicas', async () => {
    kubectl(['delete', 'validatingadmissionpolicybindings,validatingadmissionpolicies', '-l', GENERATED]);
    kubectl(['delete', 'configmaps', '-n', 'berth-system', '-l', GENERATED]);
    const policies = join(dir, 'serve.yaml');
    writeFileSync(policies, readFileSync(policiesFile('on.yaml', { rules: true }), 'utf8'));
    const tls = loopbackCerts(dir);
    for (const identity of ['berth-a', 'berth-b'])
      replicas.push(
        await startBerth({
          kubeconfig: cp?.kubeconfig ?? '',
          tlsDir: tls,
          policies,
          dir,
          identity,
          port: await freePort(),
          metricsPort: await freePort(),
          args: ['--cloud', 'simulated'],
        }),
      );
    const present = () =>
      kubectl(['get', 'validatingadmissionpolicies', '-l', GENERATED, '-o', 'name'])
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
    await eventually('the leader applying the generated policies', () => present().length >= 10, 60_000);
    // The key off: the leader takes them away (policies.yaml is reloaded live).
    writeFileSync(policies, readFileSync(policiesFile('off.yaml', { rules: false }), 'utf8'));
    await eventually('the generated policies removed', () => present().length === 0, 60_000);
    writeFileSync(policies, readFileSync(policiesFile('on-again.yaml', { rules: true }), 'utf8'));
    await eventually('the generated policies applied again', () => present().length >= 10, 60_000);
    const ca = Buffer.from(readFileSync(join(tls, 'ca.crt'))).toString('base64');
    const [, follower] = replicas;
    if (!follower) throw new Error('no follower');
    expect(registerWebhooks(kubectl, follower, ca).code).toBe(0);
    // Every replica stopped.
    for (const b of replicas.splice(0)) await b.stop();
    const open = docs.findIndex((d) => d.metadata.name === 'open-imds');
    const f = join(dir, 'open-imds.yaml');
    writeFileSync(f, stringify(docs[open]));
    const mine = (
      JSON.parse(cli(['check', '-f', f, '--policies', policies, '-o', 'json']).stdout) as {
        results: Result[];
      }
    ).results[0]?.violations.find((v) => v.rule === 'nodeclass-imds-open');
    await eventually(
      'the open-IMDS class denied by the API server alone',
      () => {
        const api = kubectl(['create', '--dry-run=server', '-f', f]);
        return (
          api.code !== 0 &&
          api.stderr.includes(
            `ValidatingAdmissionPolicy 'berth-nodeclass-imds-open' with binding 'berth-nodeclass-imds-open-enforce' denied request: ${mine?.message ?? '?'}`,
          )
        );
      },
      30_000,
    );
  });
});
