import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { evaluate } from '../../policies/engine.js';
import { defaultPolicies } from '../../policies/policies.js';
import type { WorkloadProfile } from '../../policies/schema/profile-schema.js';
import { StaticClusterView } from '../../policies/view.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { reconcilePdbs } from './reconcile.js';
import { profileStatus } from './status.js';

const policies = defaultPolicies();

const wp = (
  name: string,
  disruption: WorkloadProfile['spec']['disruption'],
  minReplicas = 3,
): WorkloadProfile => ({
  apiVersion: 'berth.dev/v1alpha1',
  kind: 'WorkloadProfile',
  metadata: { name, namespace: 'shop', generation: 2 },
  spec: { runtimeClass: 'general', availability: { minReplicas }, ...(disruption ? { disruption } : {}) },
});

const deploy = (name: string, profile?: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace: 'shop',
    uid: `uid-${name}`,
    labels: profile ? { 'berth.dev/profile': profile } : {},
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [] } },
  },
});

const managed = (
  name: string,
  minAvailable: string | number,
  app = name.replace(/-berth$/, ''),
): V1PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: {
    name,
    namespace: 'shop',
    resourceVersion: '7',
    labels: { 'berth.dev/profile': 'p', 'app.kubernetes.io/managed-by': 'berth' },
  },
  spec: { minAvailable, selector: { matchLabels: { app } } },
});

describe('reconcilePdbs', () => {
  const p = wp('p', { minAvailable: '66%' });

  it('creates the PDB of a bound workload, owned by it', () => {
    const [a, ...rest] = reconcilePdbs({
      profiles: [p],
      workloads: [deploy('web', 'p')],
      managedPdbs: [],
      policies,
    });
    expect(rest).toEqual([]);
    expect(a?.op).toBe('create');
    const pdb = a?.op === 'create' ? a.pdb : undefined;
    expect(pdb?.metadata?.name).toBe('web-berth');
    expect(pdb?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      uid: 'uid-web',
    });
    expect(pdb?.spec).toEqual({ minAvailable: '66%', selector: { matchLabels: { app: 'web' } } });
  });

  it('leaves a PDB that matches alone, updates one whose budget changed', () => {
    const same = reconcilePdbs({
      profiles: [p],
      workloads: [deploy('web', 'p')],
      managedPdbs: [managed('web-berth', '66%')],
      policies,
    });
    expect(same).toEqual([]);
    const changed = reconcilePdbs({
      profiles: [p],
      workloads: [deploy('web', 'p')],
      managedPdbs: [managed('web-berth', 1)],
      policies,
    });
    expect(changed).toMatchObject([
      { op: 'update', reason: 'budget changed', pdb: { metadata: { resourceVersion: '7' } } },
    ]);
  });

  it('deletes the PDB when the workload leaves the profile, or the profile drops its budget', () => {
    const unbound = reconcilePdbs({
      profiles: [p],
      workloads: [deploy('web')],
      managedPdbs: [managed('web-berth', '66%')],
      policies,
    });
    expect(unbound).toMatchObject([{ op: 'delete', name: 'web-berth', namespace: 'shop' }]);
    const noBudget = reconcilePdbs({
      profiles: [wp('p', undefined)],
      workloads: [deploy('web', 'p')],
      managedPdbs: [managed('web-berth', '66%')],
      policies,
    });
    expect(noBudget).toMatchObject([{ op: 'delete', name: 'web-berth' }]);
  });

  it('never touches workloads in exempt namespaces', () => {
    const sys = deploy('dns', 'p');
    sys.metadata = { name: 'dns', namespace: 'kube-system', labels: { 'berth.dev/profile': 'p' } };
    expect(
      reconcilePdbs({
        profiles: [{ ...p, metadata: { ...p.metadata, namespace: 'kube-system' } }],
        workloads: [sys],
        managedPdbs: [],
        policies,
      }),
    ).toEqual([]);
  });
});

describe('profileStatus', () => {
  const view = new StaticClusterView(builtinCatalog(), []);
  const status = (profile: WorkloadProfile) =>
    profileStatus({
      profile,
      verdict: evaluate(profile as unknown as KubeObject, view, policies, { today: '2026-11-21' }),
      bound: [deploy('web', profile.metadata.name)],
      policies,
      pools: [],
      now: new Date('2026-11-21T10:00:00Z'),
    });

  it('is Ready, Drainable and Placeable for a sound profile, with the compiled summary', () => {
    const s = status(wp('ok', { minAvailable: '66%' }));
    expect(s.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['Drainable', 'True'],
      ['Placeable', 'True'],
    ]);
    expect(s).toMatchObject({ boundWorkloads: ['Deployment/web'], boundCount: 1, observedGeneration: 2 });
    expect(s.compiled).toMatchObject({ pdb: 'minAvailable 66%', disruptionsAllowedAtMinReplicas: 1 });
  });

  it('says why it is not Ready when it cannot be drained', () => {
    const s = status(wp('bad', { minAvailable: '80%' }));
    const drainable = s.conditions?.find((c) => c.type === 'Drainable');
    expect(drainable).toMatchObject({ status: 'False', reason: 'Undrainable' });
    expect(drainable?.message).toContain('80% of 3 rounds up to 3');
    expect(s.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(s.compiled?.disruptionsAllowedAtMinReplicas).toBe(0);
  });

  it('keeps lastTransitionTime while a condition holds', () => {
    const p = wp('ok', { minAvailable: '66%' });
    const first = status(p);
    const later = profileStatus({
      profile: { ...p, status: first },
      verdict: evaluate(p as unknown as KubeObject, view, policies, { today: '2026-11-21' }),
      bound: [deploy('web', 'ok')],
      policies,
      pools: [],
      now: new Date('2026-11-22T10:00:00Z'),
    });
    expect(later).toEqual(first);
  });
});
