import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import type { KubeObject } from '../../kube/objects.js';
import { evaluate } from '../engine.js';
import { defaultPolicies, loadPolicies } from '../policies.js';
import { StaticClusterView } from '../view.js';

const catalog = builtinCatalog();

/** A NodePool every review rule passes, changed by `patch` (its spec merged one level deep). */
function pool(
  name: string,
  patch: { spec?: Record<string, unknown>; template?: Record<string, unknown> } = {},
) {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      weight: 10,
      limits: { cpu: '1000', memory: '4000Gi' },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '5m',
        budgets: [{ nodes: '10%' }, { nodes: '100%', schedule: '0 2 * * 6', duration: '4h' }],
      },
      ...patch.spec,
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'general' },
          expireAfter: '720h',
          requirements: [
            { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
            { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1b'] },
          ],
          ...patch.template,
        },
      },
    },
  } as KubeObject;
}

function nodeClass(name: string, spec: Record<string, unknown> = {}, kind = 'EC2NodeClass') {
  return {
    apiVersion: kind === 'EC2NodeClass' ? 'karpenter.k8s.aws/v1' : 'eks.amazonaws.com/v1',
    kind,
    metadata: { name },
    spec: {
      amiSelectorTerms: [{ alias: 'al2023@v20251120' }],
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      tags: { team: 'platform' },
      ...spec,
    },
  } as KubeObject;
}

/** The review rules' findings on `obj`, among the cluster's `others`, as `rule: message`. */
function review(obj: KubeObject, others: KubeObject[] = [], policies = defaultPolicies()): string[] {
  const view = new StaticClusterView(catalog, [obj, ...others]);
  const v = evaluate(obj, view, policies, { today: '2026-11-27' });
  expect(v.errors).toEqual([]);
  return v.violations.map((x) => `${x.rule}: ${x.message.replace(/^\[[^\]]+\] /, '')}`);
}

const rules = (found: string[]) => found.map((f) => f.split(':')[0]);

describe('NodePool review: each rule on the pool it is about, silent on the clean pool', () => {
  it('says nothing of a well-formed pool and class, and names cluster-scoped objects without a namespace', () => {
    expect(review(pool('general'), [nodeClass('general')])).toEqual([]);
    expect(review(nodeClass('general'), [pool('general')])).toEqual([]);
    const v = evaluate(
      pool('x', { spec: { limits: { cpu: '500m' } } }),
      new StaticClusterView(catalog, []),
      defaultPolicies(),
      {
        today: '2026-11-27',
        defaultNamespace: 'apps',
      },
    );
    expect(v.namespace).toBe('');
    expect(v.violations[0]?.message).toMatch(/^\[nodepool-never-launches\] NodePool x: limits\.cpu is 500m,/);
  });

  it.each([
    [
      'a cpu limit below every admitted type',
      { spec: { limits: { cpu: '500m' } } },
      'limits.cpu is 500m, below the smallest node',
    ],
    [
      'a memory limit below every admitted type',
      { spec: { limits: { memory: '1Gi' } } },
      'limits.memory is 1Gi',
    ],
    ['limits.nodes 0', { spec: { limits: { nodes: '0' } } }, 'limits.nodes is 0'],
    [
      'requirements nothing meets',
      {
        template: {
          requirements: [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['100000'] }],
        },
      },
      'its requirements admit none of the',
    ],
  ])('nodepool-never-launches: %s', (_, patch, words) => {
    const found = review(pool('p', patch));
    expect(rules(found)).toContain('nodepool-never-launches');
    expect(found.join('\n')).toContain(words);
  });

  it('nodepool-never-launches: a limit one node fits is fine', () => {
    expect(rules(review(pool('p', { spec: { limits: { cpu: '2' } } })))).not.toContain(
      'nodepool-never-launches',
    );
  });

  it.each([
    [['m5.large', 'm5.xlarge'], ['on-demand'], 'admit 2 instance type(s)'],
    [
      ['m5.large', 'm5.xlarge', 'm5.2xlarge', 'm5.4xlarge', 'm5.8xlarge', 'm5.12xlarge'],
      ['spot'],
      'may buy spot and admits 6',
    ],
  ])('nodepool-instance-types-narrow: %j on %j', (types, capacity, words) => {
    const found = review(
      pool('p', {
        template: {
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: types },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: capacity },
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] },
          ],
        },
      }),
    );
    expect(found.filter((f) => f.startsWith('nodepool-instance-types-narrow')).join('\n')).toContain(words);
  });

  it('nodepool-instance-types-narrow takes its thresholds from policies.yaml', () => {
    const text = `apiVersion: berth.dev/v1alpha1\nkind: Policies\nruntimeClasses: { general: { nodePools: [p] } }\nrules:\n  nodepool-instance-types-narrow: { mode: warn, params: { minTypes: 1, minSpotTypes: 1 } }\n`;
    const loaded = loadPolicies(text, 'policies.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
    const narrow = pool('p', {
      template: {
        requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] }],
      },
    });
    expect(rules(review(narrow, [], loaded.policies))).not.toContain('nodepool-instance-types-narrow');
  });

  it.each([
    ['no limits at all', { spec: { limits: undefined } }, 'nodepool-limits-missing'],
    [
      'consolidateAfter 0s',
      { spec: { disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s' } } },
      'nodepool-consolidation-churn',
    ],
    [
      'a standing 100% budget',
      { spec: { disruption: { consolidateAfter: '5m', budgets: [{ nodes: '100%' }] } } },
      'nodepool-budget-unbounded',
    ],
    ['expireAfter Never', { template: { expireAfter: 'Never' } }, 'nodepool-expiry-never'],
  ])('%s: %s', (_, patch, rule) => {
    expect(rules(review(pool('p', patch as never)))).toContain(rule);
  });

  it.each([
    ['WhenEmpty', { consolidationPolicy: 'WhenEmpty', consolidateAfter: '0s' }],
    [
      'consolidateAfter Never',
      { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: 'Never' },
    ],
    [
      'a 100% budget inside a window',
      { consolidateAfter: '5m', budgets: [{ nodes: '100%', schedule: '@daily', duration: '1h' }] },
    ],
    [
      'a 10% standing budget beside a 100% one',
      { consolidateAfter: '5m', budgets: [{ nodes: '10%' }, { nodes: '100%' }] },
    ],
  ])('disruption that is safe: %s', (_, disruption) => {
    expect(review(pool('p', { spec: { disruption } }))).toEqual([]);
  });

  it('nodepool-gpu-untainted: a GPU-only pool without a NoSchedule taint, and not once it has one', () => {
    const gpu = {
      requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['g', 'p'] }],
    };
    expect(rules(review(pool('gpu', { template: gpu })))).toContain('nodepool-gpu-untainted');
    const tainted = { ...gpu, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] };
    expect(rules(review(pool('gpu', { template: tainted })))).not.toContain('nodepool-gpu-untainted');
  });

  it('nodepool-weight-tie: another pool of the same weight and taints with shared types; not at another weight or taint', () => {
    expect(review(pool('a'), [pool('b')])).toEqual([
      expect.stringMatching(
        /^nodepool-weight-tie: NodePool a: NodePool b has the same weight \(10\) and taints, and \d+ of its/,
      ),
    ]);
    expect(review(pool('a'), [pool('b', { spec: { weight: 20 } })])).toEqual([]);
    const tainted = pool('b', { template: { taints: [{ key: 'team', value: 'x', effect: 'NoSchedule' }] } });
    expect(review(pool('a'), [tainted])).toEqual([]);
  });

  it('nodepool-zones-implicit and nodepool-capacity-type-implicit: what the pool leaves to defaults', () => {
    const loose = pool('p', {
      template: {
        requirements: [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] }],
      },
    });
    expect(rules(review(loose))).toEqual(['nodepool-zones-implicit', 'nodepool-capacity-type-implicit']);
  });
});

describe('node class review', () => {
  it.each([
    [{ metadataOptions: { httpTokens: 'optional' } }, 'httpTokens is optional'],
    [
      { metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 } },
      'httpPutResponseHopLimit is 2',
    ],
  ])('nodeclass-imds-open: %j', (spec, words) => {
    const found = review(nodeClass('c', spec));
    expect(rules(found)).toEqual(['nodeclass-imds-open']);
    expect(found[0]).toContain(words);
  });

  it('nodeclass-imds-open: IMDS turned off, or Karpenter’s defaults (no metadataOptions), are fine', () => {
    expect(
      review(nodeClass('c', { metadataOptions: { httpEndpoint: 'disabled', httpTokens: 'optional' } })),
    ).toEqual([]);
    expect(review(nodeClass('c', { metadataOptions: undefined }))).toEqual([]);
  });

  it('nodeclass-ami-unpinned names the pools an @latest alias drifts and their standing budgets', () => {
    const found = review(nodeClass('general', { amiSelectorTerms: [{ alias: 'al2023@latest' }] }), [
      pool('web', { spec: { disruption: { consolidateAfter: '5m', budgets: [{ nodes: '100%' }] } } }),
      pool('other', {
        template: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'x' } },
      }),
    ]);
    expect(found).toEqual([
      expect.stringContaining(
        'every AMI release drifts every node of NodePools web (budget 100%), when AWS publishes it',
      ),
    ]);
  });

  it('nodeclass-cost-tags-missing: no tag at all, or the keys policies.yaml names; Auto Mode NodeClasses too', () => {
    expect(rules(review(nodeClass('c', { tags: {} })))).toEqual(['nodeclass-cost-tags-missing']);
    expect(rules(review(nodeClass('c', { tags: {} }, 'NodeClass')))).toEqual(['nodeclass-cost-tags-missing']);
    const text = `apiVersion: berth.dev/v1alpha1\nkind: Policies\nruntimeClasses: { general: { nodePools: [p] } }\nrules:\n  nodeclass-cost-tags-missing: { mode: audit, params: { tags: [team, cost-center] } }\n`;
    const loaded = loadPolicies(text, 'policies.yaml');
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
    expect(review(nodeClass('c'), [], loaded.policies)).toEqual([
      'nodeclass-cost-tags-missing: EC2NodeClass c: spec.tags lacks cost-center: its instances cannot be charged to an owner; fix: add spec.tags (team: …, cost-center: …)',
    ]);
  });
});
