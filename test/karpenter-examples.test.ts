/**
 * Karpenter's own examples (test/karpenter-examples/SOURCES.md: aws/karpenter-provider-aws, pinned
 * commit), read as Karpenter reads them. Every NodePool example is the whole cluster's pools
 * (`--nodepools <example>`) for Karpenter's `inflate` workload scaled up; the table names what each
 * must give. Then the differences that would bite a team replacing Karpenter, one test each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { berth, tmp } from './support/cli.js';
import { builtinCatalog } from '../src/catalog/catalog.js';

/** The labels a node of this instance type carries (the plan's JSON names the type only). */
const labelsOf = (type: string): Readonly<Record<string, string>> =>
  builtinCatalog().byName(type)?.labels ?? {};

const DIR = 'test/karpenter-examples';
const V1 = join(DIR, 'v1');

interface PlanJson {
  nodes: {
    nodePool: string;
    instanceType: string;
    capacityType: string;
    pods: string[];
  }[];
  unschedulable: { pod: string; reason: string }[];
}

interface PodSpecLike {
  containers: { resources: { requests: Record<string, string> } }[];
  nodeSelector?: Record<string, string>;
}

/** The workload file of the examples, with its replicas (they ship at 0) and optional edits. */
function workload(
  name: string,
  replicas: number,
  edit: (spec: PodSpecLike) => void = () => undefined,
): string {
  const doc = parseAllDocuments(readFileSync(join(DIR, 'workloads', `${name}.yaml`), 'utf8'))[0]?.toJS() as {
    spec: { replicas?: number; template: { spec: PodSpecLike } };
  };
  doc.spec.replicas = replicas;
  edit(doc.spec.template.spec);
  return tmp({ [`${name}.yaml`]: stringify(doc) });
}

async function plan(pools: string, files: string): Promise<{ code: number; plan: PlanJson; err: string }> {
  const r = await berth('plan', '--nodepools', pools, '-f', files, '-o', 'json');
  return {
    code: r.code,
    plan: (r.out ? JSON.parse(r.out) : { nodes: [], unschedulable: [] }) as PlanJson,
    err: r.err,
  };
}

interface Claim {
  spec: { requirements: { key: string; minValues?: number; values?: string[] }[] };
}

async function claimsOf(pools: string, files: string): Promise<Claim[]> {
  const r = await berth('plan', '--nodepools', pools, '-f', files, '--emit', 'nodeclaims', '-o', 'json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { items: Claim[] }).items;
}

/** What each example gives for 5 `inflate` pods (1 CPU, 256M): exit code and what the nodes must be. */
const EXPECTED: Record<string, { code: number; capacityType?: string; arch?: string; note?: string }> = {
  '100-cpu-limit.yaml': { code: 0, capacityType: 'on-demand', arch: 'amd64' },
  'al2-custom-ami.yaml': { code: 0, capacityType: 'on-demand' },
  'al2-custom-userdata.yaml': { code: 0, capacityType: 'on-demand' },
  'al2-kubelet-log-query.yaml': { code: 0, capacityType: 'on-demand' },
  'al2023-custom-userdata.yaml': { code: 0, capacityType: 'on-demand', arch: 'amd64' },
  'bottlerocket.yaml': { code: 0, capacityType: 'on-demand' },
  'br-custom-userdata.yaml': { code: 0, capacityType: 'on-demand', arch: 'amd64' },
  'custom-family-with-alias.yaml': { code: 0 },
  'custom-family.yaml': { code: 0 },
  'general-purpose.yaml': { code: 0, capacityType: 'on-demand', arch: 'amd64' },
  'instance-store-ephemeral-storage.yaml': { code: 0, capacityType: 'on-demand', arch: 'amd64' },
  // No capacity-type or arch requirement: Karpenter v1 defaults neither, and spot is cheaper.
  'large-instances.yaml': { code: 0, capacityType: 'spot' },
  'max-node-lifetime.yaml': { code: 0 },
  'min-values-family.yaml': { code: 0, capacityType: 'spot', arch: 'amd64' },
  'min-values-multiple-keys.yaml': { code: 0, capacityType: 'spot' },
  'multiple-arch.yaml': { code: 0, capacityType: 'on-demand' },
  'multiple-ebs.yaml': { code: 0 },
  'spot.yaml': { code: 0, capacityType: 'spot', arch: 'amd64' },
  // Berth boots AL2023, Bottlerocket and Custom images: its catalog has no Windows offering.
  'windows-2019.yaml': { code: 1, note: 'Windows is not supported' },
  'windows-2022.yaml': { code: 1, note: 'Windows is not supported' },
  'windows-2025.yaml': { code: 1, note: 'Windows is not supported' },
  // nodeClassRef.group karpenter.k8s.aws/v1 fails Karpenter's CRD pattern ^[^/]*$: bad input.
  'windows-custom-userdata.yaml': { code: 2 },
};

describe("Karpenter's examples, as Karpenter reads them", () => {
  const examples = readdirSync(V1).filter((f) => f.endsWith('.yaml'));
  const inflate = workload('inflate', 5);

  it('the table names every example of the pinned commit', () => {
    expect(examples.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(examples)('%s plans the inflate workload as Karpenter would', async (file) => {
    const want = EXPECTED[file] ?? { code: -1 };
    const r = await plan(join(V1, file), inflate);
    expect(r.code, r.err).toBe(want.code);
    if (want.code !== 0) return;
    expect(r.plan.unschedulable).toEqual([]);
    expect(r.plan.nodes.flatMap((n) => n.pods)).toHaveLength(5);
    for (const n of r.plan.nodes) {
      if (want.capacityType) expect(n.capacityType).toBe(want.capacityType);
      if (want.arch) expect(labelsOf(n.instanceType)['kubernetes.io/arch']).toBe(want.arch);
    }
  });

  it.each(examples.filter((f) => EXPECTED[f]?.code !== 2))(
    '%s: check admits the inflate workload',
    async (file) => {
      const r = await berth('check', '--nodepools', join(V1, file), '-f', inflate, '-o', 'json');
      const report = JSON.parse(r.out) as { results: { allowed: boolean }[] };
      const windows = file.startsWith('windows');
      expect(
        report.results.every((x) => x.allowed),
        r.out,
      ).toBe(!windows);
    },
  );
});

describe('the differences the examples showed (issue: Karpenter examples, points 3–7)', () => {
  it('3: ephemeral-storage requests count, and RAID0 makes the instance store ephemeral storage', async () => {
    const big = workload('inflate', 2, (spec) => {
      const c = spec.containers[0];
      if (c) c.resources.requests['ephemeral-storage'] = '1Ti';
    });
    // The general-purpose class boots a 20Gi root volume: 17Gi allocatable, no 1Ti pod fits, and
    // the workload is denied rather than placed on a node it would fill the disk of.
    const root = await plan(join(V1, 'general-purpose.yaml'), big);
    expect(root.code).toBe(1);
    expect(root.plan.nodes).toEqual([]);
    const check = await berth('check', '--nodepools', join(V1, 'general-purpose.yaml'), '-f', big);
    expect(check.out).toContain('requests-exceed-capacity');
    expect(check.out).toContain('ephemeral-storage');
    // RAID0 over NVMe larger than 300 GB: each node holds what its instance store holds.
    const raid = await plan(join(V1, 'instance-store-ephemeral-storage.yaml'), big);
    expect(raid.code, raid.err).toBe(0);
    for (const n of raid.plan.nodes)
      expect(
        Number(labelsOf(n.instanceType)['karpenter.k8s.aws/instance-local-nvme']) * 1e9 * 0.9,
      ).toBeGreaterThan(n.pods.length * 2 ** 40);
  });

  it('4: a pool with no capacity-type or arch requirement offers spot and arm64 (large-instances)', async () => {
    const r = await plan(join(V1, 'large-instances.yaml'), workload('inflate', 20));
    expect(r.code).toBe(0);
    expect(new Set(r.plan.nodes.map((n) => n.capacityType))).toEqual(new Set(['spot']));
  });

  it('5: minValues is Strict: the claim lists enough families, and a pod that narrows below it is not placed', async () => {
    const ok = await claimsOf(join(V1, 'min-values-family.yaml'), workload('inflate', 5));
    expect(ok.length).toBeGreaterThan(0);
    for (const c of ok) {
      const types =
        c.spec.requirements.find((q) => q.key === 'node.kubernetes.io/instance-type')?.values ?? [];
      expect(new Set(types.map((t) => t.split('.')[0])).size).toBeGreaterThanOrEqual(5);
    }
    const narrow = workload('inflate', 1, (spec) => {
      spec.nodeSelector = { 'karpenter.k8s.aws/instance-family': 'm5' };
    });
    const r = await plan(join(V1, 'min-values-family.yaml'), narrow);
    expect(r.code).toBe(1);
    const check = await berth('check', '--nodepools', join(V1, 'min-values-family.yaml'), '-f', narrow);
    expect(check.out).toContain('at least 5 instance-family values (minValues)');
    const claims = await berth(
      'plan',
      '--nodepools',
      join(V1, 'min-values-multiple-keys.yaml'),
      '-f',
      workload('inflate', 3),
      '--emit',
      'nodeclaims',
      '-o',
      'json',
    );
    expect(claims.code, claims.err).toBe(0);
    const claim = (
      JSON.parse(claims.out) as {
        items: { spec: { requirements: { key: string; minValues?: number; values?: string[] }[] } }[];
      }
    ).items[0];
    const types = claim?.spec.requirements.find((q) => q.key === 'node.kubernetes.io/instance-type');
    expect(types?.values?.length ?? 0).toBeGreaterThanOrEqual(types?.minValues ?? 0);
  });

  it('6: amd.com/gpu and aws.amazon.com/neuron land only on types that have them', async () => {
    const amd = await plan(join(V1, 'large-instances.yaml'), workload('gpu-amd', 2));
    expect(amd.code, amd.err).toBe(0);
    for (const n of amd.plan.nodes)
      expect(labelsOf(n.instanceType)['karpenter.k8s.aws/instance-gpu-manufacturer']).toBe('amd');
    const neuron = await plan(join(V1, 'large-instances.yaml'), workload('neuron', 2));
    expect(neuron.code, neuron.err).toBe(0);
    for (const n of neuron.plan.nodes) expect(n.instanceType).toMatch(/^(inf|trn)/);
    // A pool of c/m/r types has neither: the pods are refused, not placed on types without them.
    const none = await plan(join(V1, 'general-purpose.yaml'), workload('neuron', 1));
    expect(none.code).toBe(1);
  });

  it('7: spec.kubelet.maxPods caps the pods a node is planned with', async () => {
    const pools = tmp({
      'pool.yaml':
        stringify({
          apiVersion: 'karpenter.sh/v1',
          kind: 'NodePool',
          metadata: { name: 'capped' },
          spec: {
            template: {
              spec: {
                nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'capped' },
                requirements: [
                  { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.2xlarge'] },
                ],
              },
            },
          },
        }) +
        '---\n' +
        stringify({
          apiVersion: 'karpenter.k8s.aws/v1',
          kind: 'EC2NodeClass',
          metadata: { name: 'capped' },
          spec: { amiSelectorTerms: [{ alias: 'al2023@latest' }], kubelet: { maxPods: 20 } },
        }),
    });
    const small = workload('inflate', 38, (spec) => {
      const c = spec.containers[0];
      if (c) c.resources.requests = { cpu: '10m', memory: '16Mi' };
    });
    const r = await plan(join(pools, 'pool.yaml'), small);
    expect(r.code, r.err).toBe(0);
    expect(r.plan.nodes.length).toBeGreaterThanOrEqual(2);
    for (const n of r.plan.nodes) expect(n.pods.length).toBeLessThanOrEqual(20);
  });
});
