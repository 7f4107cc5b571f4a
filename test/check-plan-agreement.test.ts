/**
 * One answer across commands: a workload `berth check` admits as placeable is placed by `berth plan`,
 * and one it denies as unplaceable is placed by neither. Over the examples, the public manifests of
 * test/manifests, and seeded variants of them (requests, GPU, the GPU pool's toleration, node
 * selectors on runtime classes and instance families, in Karpenter's and in EKS Auto Mode's labels). Each workload is planned alone, so a NodePool's
 * limits (which check does not judge per workload) do not enter.
 */
import { describe, expect, it } from 'vitest';
import { loadObjects } from '../src/inputs/objects.js';
import { clusterPools, openSession } from '../src/inputs/session.js';
import type { KubeObject } from '../src/kube/objects.js';
import { isReplicated, podTemplateOf } from '../src/kube/workload.js';
import { runOffline } from '../src/policies/offline.js';
import { solverInputOf } from '../src/provisioner/input/plan-input.js';
import { solve } from '../src/provisioner/solver/solve.js';
import { seededRandom } from '../src/util/seeded.js';

const session = openSession({});
const PLACEMENT_RULES = new Set([
  'placement-unsatisfiable',
  'requests-exceed-capacity',
  'spread-unsatisfiable',
]);

function corpus(): KubeObject[] {
  const loaded = loadObjects(['examples', 'test/manifests']);
  if (!loaded.ok) throw new Error('the corpus loads');
  return loaded.objects.map((o) => o.object);
}

interface Outcome {
  workload: string;
  placeable: boolean | undefined;
  placed: number;
  pods: number;
  /** Pods an EKS Auto Mode pool takes. */
  auto: number;
  reasons: string[];
}

/** check's verdict on placement and plan's placement, for each workload of `objects`. */
function outcomes(objects: KubeObject[]): Outcome[] {
  const result = runOffline({ ...session, objects, today: '2026-11-22' });
  const pools = clusterPools(session, objects).map((p) => ({ ...p, spec: { ...p.spec, limits: {} } }));
  const out: Outcome[] = [];
  result.admitted.forEach((obj, i) => {
    const v = result.verdicts[i];
    if (!v || !isReplicated(obj.kind) || obj.metadata?.namespace === 'kube-system') return;
    const placementDenied = v.violations.some((x) => PLACEMENT_RULES.has(x.rule) && x.mode === 'enforce');
    // Denied for another reason: plan leaves it out, and there is nothing to compare.
    if (!v.allowed && !placementDenied) return;
    const input = solverInputOf({
      objects: [obj],
      cluster: [],
      nodePools: pools,
      catalog: session.catalog,
      defaultNamespace: 'default',
    });
    const plan = solve({ ...input, budgetMillis: 0 });
    out.push({
      workload: `${obj.kind ?? ''} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`,
      placeable: !placementDenied,
      // A pod an EKS Auto Mode pool takes is placed, by EKS rather than Berth.
      placed: plan.bindings.length + plan.servedByAutoMode.length,
      pods: input.pods.length,
      auto: plan.servedByAutoMode.length,
      reasons: plan.unschedulable.map((u) => u.reason),
    });
  });
  return out;
}

function expectAgreement(all: Outcome[]): void {
  for (const o of all) {
    const what = `${o.workload}: check says ${o.placeable === true ? 'placeable' : 'unplaceable'}, plan placed ${o.placed} of ${o.pods} (${o.reasons[0] ?? ''})`;
    if (o.placeable === true) expect(o.placed, what).toBe(o.pods);
    else expect(o.placed, what).toBe(0);
    for (const r of o.reasons)
      expect(r, `${what}: a reason about topology for a pod that has none`).not.toMatch(
        /topology constraints cannot be met/,
      );
  }
}

const GPU_TOLERATION = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
const SELECTORS: Record<string, string>[] = [
  {},
  { 'berth.dev/runtime-class': 'general' },
  { 'berth.dev/runtime-class': 'gpu' },
  { 'berth.dev/runtime-class': 'memory' },
  { 'karpenter.k8s.aws/instance-family': 'm5' },
  { 'karpenter.k8s.aws/instance-family': 'g5' },
  { 'kubernetes.io/arch': 'arm64' },
  // Auto Mode's vocabulary, judged against the examples' mixed cluster (Berth's pools and general-purpose).
  { 'eks.amazonaws.com/compute-type': 'auto' },
  { 'eks.amazonaws.com/instance-family': 'm5' },
  { 'eks.amazonaws.com/instance-family': 'c7i', 'eks.amazonaws.com/compute-type': 'auto' },
  { 'eks.amazonaws.com/instance-category': 'r', 'kubernetes.io/arch': 'arm64' },
  { 'karpenter.k8s.aws/instance-family': 'm6i', 'eks.amazonaws.com/compute-type': 'auto' },
];

/** A variant of a workload: other requests, maybe a GPU, maybe the GPU pool's toleration, a node selector. */
function variant(obj: KubeObject, r: () => number, i: number): KubeObject {
  const copy = structuredClone(obj);
  const template = podTemplateOf(copy);
  if (!template) return copy;
  copy.metadata = { ...(copy.metadata ?? {}), name: `${copy.metadata?.name ?? 'w'}-v${i}` };
  const spec = template.spec;
  const cpu = [100, 500, 2000, 8000, 48_000, 200_000][Math.floor(r() * 6)] ?? 100;
  const mem = [128, 1024, 16_384, 131_072, 2_097_152][Math.floor(r() * 5)] ?? 128;
  const gpu = r() < 0.3 ? 1 : 0;
  spec.containers = spec.containers.slice(0, 1).map((c) =>
    Object.assign(c, {
      resources: {
        requests: { cpu: `${cpu}m`, memory: `${mem}Mi` },
        limits: gpu > 0 ? { 'nvidia.com/gpu': String(gpu) } : {},
      },
    }),
  );
  spec.initContainers = [];
  spec.tolerations = r() < 0.5 ? [GPU_TOLERATION] : [];
  spec.nodeSelector = SELECTORS[Math.floor(r() * SELECTORS.length)] ?? {};
  delete spec.affinity;
  return copy;
}

describe('check and plan agree on placement', () => {
  it('over the examples and the public manifests', () => {
    const all = outcomes(corpus());
    expect(all.length).toBeGreaterThanOrEqual(6);
    expectAgreement(all);
  });

  it('over 300 seeded variants of their workloads', () => {
    const r = seededRandom(1122);
    const base = corpus().filter(
      (o) => isReplicated(o.kind) && o.metadata?.labels?.['berth.dev/profile'] === undefined,
    );
    const variants = Array.from({ length: 300 }, (_, i) =>
      variant(base[i % base.length] as KubeObject, r, i),
    );
    const pools = corpus().filter((o) => o.kind === 'NodePool');
    expect(pools.length).toBeGreaterThan(0);
    const all = outcomes([...pools, ...variants]);
    expectAgreement(all);
    // Not vacuous: some variants go to Auto Mode, some are denied, some are Berth's.
    expect(all.filter((o) => o.auto > 0).length).toBeGreaterThan(10);
    expect(all.filter((o) => o.placeable === false).length).toBeGreaterThan(10);
    expect(all.filter((o) => o.placed > o.auto).length).toBeGreaterThan(10);
  });
});
