import { NO_REQUESTS } from '../kube/resources.js';
import { describe, expect, it } from 'vitest';
import { makeCatalog, builtinCatalog } from '../catalog/catalog.js';
import { LABEL } from '../catalog/instance-type.js';
import { EvaluationBudgetError, fitPools, PLACEMENT_BUDGET, typesFor } from './placement.js';
import { poolView, type NodePool } from './nodepool.js';
import { Requirements, type NodeSelectorRequirement } from './requirements.js';
import { seededRandom } from '../util/seeded.js';

const catalog = builtinCatalog();
/** The same facts as a catalog of its own: no memo of the other is shared. */
const fresh = () => {
  const origin = catalog.origin;
  if (!origin) throw new Error('the built-in catalog has its facts');
  return makeCatalog(origin.facts, origin.zones, origin.spotQuotes);
};

/** A requirement over a label value, written apart from requirements.ts: the reference. */
function allowsLabel(r: ReturnType<Requirements['get']> & object, v: string | undefined): boolean {
  if (v === undefined) return r.allowsAbsent;
  if (r.gte !== undefined || r.lte !== undefined) {
    if (!/^[+-]?[0-9]+$/.test(v)) return false;
    const n = Number(v);
    if (r.gte !== undefined && !(n >= r.gte)) return false;
    if (r.lte !== undefined && !(n <= r.lte)) return false;
  }
  return r.complement ? !r.values.has(v) : r.values.has(v);
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

describe('typesFor: the label index gives what a scan of the catalog gives', () => {
  it('on 500 random requirement sets', () => {
    const r = seededRandom(99);
    const names = catalog.types.map((t) => t.name);
    const families = [...new Set(catalog.types.map((t) => t.labels[LABEL.family] ?? ''))];
    for (let i = 0; i < 500; i++) {
      const list: NodeSelectorRequirement[] = [];
      if (r() < 0.6)
        list.push({
          key: LABEL.instanceType,
          operator: 'In',
          values: [pick(r, names), pick(r, names), 'no.such'],
        });
      if (r() < 0.5)
        list.push({ key: LABEL.family, operator: pick(r, ['In', 'NotIn']), values: [pick(r, families)] });
      if (r() < 0.4)
        list.push({ key: LABEL.category, operator: 'In', values: [pick(r, ['c', 'm', 'r', 'g'])] });
      if (r() < 0.4)
        list.push({
          key: LABEL.cpu,
          operator: pick(r, ['Gt', 'Lt', 'Gte', 'Lte']),
          values: [String(Math.floor(r() * 64))],
        });
      if (r() < 0.2) list.push({ key: LABEL.arch, operator: 'In', values: [pick(r, ['amd64', 'arm64'])] });
      const reqs = Requirements.of(list);
      const cat = fresh();
      const fast = typesFor(reqs, cat).map((t) => t.name);
      const slow = cat.types
        .filter(
          (t) => t.onDemandPrice !== null && [...reqs.values()].every((q) => allowsLabel(q, t.labels[q.key])),
        )
        .map((t) => t.name);
      expect(fast, JSON.stringify(list)).toEqual(slow);
    }
  });
});

describe('fitPools: a budget, not seconds of the event loop', () => {
  const pool: NodePool = { metadata: { name: 'general' }, spec: { template: { spec: {} } } };
  const spec = (terms: unknown[]) => ({
    containers: [{ name: 'a', resources: { requests: { cpu: '1000', memory: '1Gi' } } }],
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
    },
  });
  const req = { ...NO_REQUESTS, cpuMillis: 1_000_000, memoryMiB: 1024 };

  it('gives up past its budget on terms that each allow many types and none fits', () => {
    const terms = Array.from({ length: 2000 }, (_, i) => ({
      matchExpressions: [{ key: LABEL.instanceType, operator: 'NotIn', values: [`x${i}`] }],
    }));
    expect(() => fitPools(spec(terms) as never, req, [poolView(pool)], fresh())).toThrow(
      EvaluationBudgetError,
    );
  });

  it('stops at the first term that fits: a long list of terms is no cost when an early one matches', () => {
    const terms = Array.from({ length: 20_000 }, (_, i) => ({
      matchExpressions: [{ key: LABEL.instanceType, operator: 'NotIn', values: [`x${i}`] }],
    }));
    const fits = fitPools(spec(terms) as never, { ...req, cpuMillis: 1000 }, [poolView(pool)], fresh());
    expect(fits[0]?.distance).toBe(0);
    expect(PLACEMENT_BUDGET).toBeGreaterThan(2000);
  });
});
