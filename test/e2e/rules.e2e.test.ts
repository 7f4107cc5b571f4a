/**
 * Every rule of the catalogue fires through kube-apiserver as deploy/ registers Berth's webhooks
 * (their resources, operations and match conditions): for each rule, a fixture case of
 * test/fixtures that finds it is replayed against a real API server — the case's other objects
 * applied, then the object the rule judges applied with `--dry-run=server` — and kubectl must show
 * the rule's id. Every rule runs in warn mode here, so that the objects a case needs beside the one
 * judged are admitted and each finding reaches kubectl as a Warning. A rule no fixture finds has a
 * case of its own below.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { RULE_IDS } from '../../src/policies/rules/ids.js';
import { freePort, startControlPlane, type ControlPlane } from './control-plane.js';
import {
  e2eKubeMinor,
  eventually,
  kubectlWith,
  loopbackCerts,
  routeWebhooks,
  startBerth,
  type Berth,
} from './harness.js';

interface Doc {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

interface Case {
  name: string;
  /** Kind/namespace/name of the object the rule judges, as expected.yaml names it. */
  judged: string;
  /** The case's objects (input.yaml, or nodepools.yaml for the NodePool and node class rules). */
  docs: Doc[];
  /** The case's own NodePools and classes, applied before its objects and removed after. */
  pools: Doc[];
}

const FIXTURES = 'test/fixtures';

/** NodePool and node class rules judge the pools themselves (the review webhook). */
const POOL_KINDS = new Set(['NodePool', 'EC2NodeClass', 'NodeClass']);
/** The cluster-scoped kinds the fixtures hold; every other kind lives in a namespace. */
const CLUSTER_KINDS = new Set([...POOL_KINDS, 'Namespace', 'NodeOverlay']);

const docsOf = (file: string): Doc[] =>
  existsSync(file)
    ? parseAllDocuments(readFileSync(file, 'utf8'))
        .map((d) => d.toJS() as Doc | null)
        .filter((d): d is Doc => d !== null)
    : [];

/**
 * For each rule, the first case (by name) whose expected.yaml finds it, preferring cases with no
 * policies.yaml of their own (the cluster runs the shipped policies) and then none with NodePools.
 */
/**
 * Fixture cases that need a newer API server than the oldest supported: pod-level resources are
 * dropped by kube-apiserver before 1.34 (PodLevelResources, beta and on since then).
 */
const SINCE_MINOR: Readonly<Record<string, number>> = { 'pod-level-resources': 34 };

function casesByRule(): Map<string, Case> {
  const minor = e2eKubeMinor();
  const dirs = readdirSync(FIXTURES)
    .filter((d) => (SINCE_MINOR[d] ?? 0) <= minor)
    .sort();
  const out = new Map<string, Case>();
  const rank = (dir: string) =>
    (existsSync(join(FIXTURES, dir, 'policies.yaml')) ? 2 : 0) +
    (existsSync(join(FIXTURES, dir, 'nodepools.yaml')) ? 1 : 0);
  for (const dir of [...dirs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
    if (existsSync(join(FIXTURES, dir, 'policies.yaml'))) continue;
    const expected = parse(readFileSync(join(FIXTURES, dir, 'expected.yaml'), 'utf8')) as {
      results?: { object: string; rules?: string[] }[];
    };
    for (const r of expected.results ?? [])
      for (const rule of r.rules ?? []) {
        if (out.has(rule)) continue;
        const pools = docsOf(join(FIXTURES, dir, 'nodepools.yaml'));
        const judgesPool = POOL_KINDS.has(r.object.split('/')[0] ?? '');
        const input = docsOf(join(FIXTURES, dir, 'input.yaml'));
        out.set(rule, {
          name: dir,
          judged: r.object,
          // A pool the rule judges may sit in either file; it is the case's object then.
          docs: judgesPool ? [...pools, ...input] : input,
          pools: judgesPool ? [] : pools,
        });
      }
  }
  return out;
}

/** A rule no fixture finds: an EC2NodeClass without the cost-allocation tags. */
const OWN_CASES: Record<string, Case> = {
  'nodeclass-cost-tags-missing': {
    name: 'an EC2NodeClass without tags',
    judged: 'EC2NodeClass//untagged',
    docs: [
      {
        ...{ apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: 'untagged' } },
        ...{
          spec: {
            role: 'KarpenterNodeRole-prod',
            amiSelectorTerms: [{ alias: 'al2023@v20251117' }],
            subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }],
            securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }],
            metadataOptions: { httpPutResponseHopLimit: 1, httpTokens: 'required' },
          },
        },
      },
    ],
    pools: [],
  },
};

let cp: ControlPlane;
let berth: Berth;
let kubectl: ReturnType<typeof kubectlWith>;
let seq = 0;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rules-'));
  const bin = execFileSync('bash', ['test/e2e/build-control-plane.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  cp = await startControlPlane(bin, join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  for (const crds of ['deploy/crds', 'deploy/karpenter-crds', 'deploy/report-crds'])
    expect(kubectl(['apply', '-k', crds]).code).toBe(0);
  expect(kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).code).toBe(0);
  const installed = kubectl(['apply', '-k', 'deploy/']);
  expect(installed.code, installed.stderr).toBe(0);
  const pools = kubectl(['apply', '-k', 'deploy/nodepools']);
  expect(pools.code, pools.stderr).toBe(0);
  // The shipped policies with every rule in warn mode: each finding reaches kubectl, nothing the
  // cases need is refused. Admission only: no provisioning, no report scan.
  const policies = join(dir, 'policies.yaml');
  writeFileSync(
    policies,
    readFileSync('policies.yaml', 'utf8')
      .replace(/mode: (enforce|audit)\b/g, 'mode: warn')
      .replace(/mode: berth\b/, 'mode: off'),
  );
  const tls = loopbackCerts(dir);
  berth = await startBerth({
    kubeconfig: cp.kubeconfig,
    tlsDir: tls,
    policies,
    dir,
    identity: 'rules',
    port: await freePort(),
    metricsPort: await freePort(),
    args: ['--cloud', 'simulated', '--no-reports'],
  });
  const ca = readFileSync(join(tls, 'ca.crt')).toString('base64');
  for (const r of routeWebhooks(kubectl, berth, ca)) expect(r.code, r.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await berth.stop();
  await cp.stop();
});

const namespaced = (d: Doc): boolean => !CLUSTER_KINDS.has(d.kind ?? '');

/**
 * Each case in namespaces of its own, `apps` becoming `apps-N` (an object without one: `default-N`),
 * so that cases never meet.
 */
function relocate(doc: Doc, n: number): Doc {
  const copy = { ...structuredClone(doc), metadata: { ...doc.metadata } };
  if (copy.kind === 'Namespace') copy.metadata.name = `${copy.metadata.name ?? ''}-${String(n)}`;
  else if (namespaced(copy)) copy.metadata.namespace = `${copy.metadata.namespace ?? 'default'}-${String(n)}`;
  return copy;
}

const keyOf = (d: Doc): string =>
  `${d.kind ?? ''}/${namespaced(d) ? (d.metadata?.namespace ?? 'default') : ''}/${d.metadata?.name ?? ''}`;

function apply(doc: Doc, dryRun: boolean) {
  return kubectl(['apply', ...(dryRun ? ['--dry-run=server'] : []), '-f', '-'], JSON.stringify(doc));
}

/**
 * The judged object through admission whatever the cluster holds: created, or replaced when an
 * object of its name exists (`kubectl apply` sends nothing for an object that would not change).
 */
function admit(doc: Doc) {
  const exists = kubectl(['get', '-f', '-'], JSON.stringify(doc)).code === 0;
  return kubectl([exists ? 'replace' : 'create', '--dry-run=server', '-f', '-'], JSON.stringify(doc));
}

async function replay(rule: string, c: Case): Promise<string> {
  seq += 1;
  const n = seq;
  const judged = c.docs.find((d) => keyOf(d) === c.judged);
  expect(judged, `${c.name}: no ${c.judged} in its objects`).toBeDefined();
  const namespaces = new Set(c.docs.filter(namespaced).map((d) => d.metadata?.namespace ?? 'default'));
  const declared = new Set(c.docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata?.name));
  for (const ns of namespaces) if (!declared.has(ns)) kubectl(['create', 'namespace', `${ns}-${String(n)}`]);
  const restore: Doc[] = [];
  try {
    for (const p of c.pools) {
      apply(p, false);
      restore.push(p);
    }
    for (const d of c.docs) {
      if (d === judged) continue;
      apply(relocate(d, n), false);
      if (POOL_KINDS.has(d.kind ?? '')) restore.push(d);
    }
    const target = relocate(judged ?? {}, n);
    // Berth sees the objects just applied through its watches: a few tries while its caches catch up.
    let last = '';
    try {
      return await eventually(
        `${rule} through the API server`,
        () => {
          const r = admit(target);
          last = `${r.stdout}\n${r.stderr}`;
          return last.includes(`[${rule}]`) ? last : undefined;
        },
        15_000,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; kubectl said: ${last}`, { cause: e });
    }
  } finally {
    for (const p of restore)
      kubectl(['delete', '--ignore-not-found', `${p.kind ?? ''}/${p.metadata?.name ?? ''}`]);
    if (c.pools.length > 0 || restore.length > 0) kubectl(['apply', '-k', 'deploy/nodepools']);
  }
}

describe('every rule through the API server', () => {
  const cases = casesByRule();
  for (const rule of RULE_IDS) {
    const c = cases.get(rule) ?? OWN_CASES[rule];
    // The API server validates an object before the validating webhooks see it: an object it
    // refuses never reaches Berth, and kubectl says why in the API server's words.
    if (rule === 'object-invalid' || rule === 'profile-schema') {
      it(`${rule}: refused by the API server before any webhook`, () => {
        expect(c, `no case finds ${rule}`).toBeDefined();
        if (!c) return;
        const judged = c.docs.find((d) => keyOf(d) === c.judged) ?? {};
        seq += 1;
        kubectl(['create', 'namespace', `${judged.metadata?.namespace ?? 'default'}-${String(seq)}`]);
        const r = admit(relocate(judged, seq));
        expect(r.code, r.stdout).not.toBe(0);
        expect(r.stderr).toMatch(/invalid|Invalid|denied/);
      });
      continue;
    }
    it(`${rule}: ${c?.name ?? 'no case'}`, async () => {
      expect(c, `no fixture case finds ${rule}`).toBeDefined();
      if (!c) return;
      const out = await replay(rule, c);
      expect(out).toContain(`[${rule}]`);
    });
  }
});
