import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import { Policies, defaultPolicies } from '../policies/policies.js';
import { StaticClusterView } from '../policies/view.js';
import { validate } from './admit.js';
import type { AdmissionRequest } from './review.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shell', namespace: 'apps' },
  spec: { terminationGracePeriodSeconds: 900, containers: [{ name: 'sh', image: 'busybox' }] },
};
const request: AdmissionRequest = {
  uid: 'u',
  kind: { group: '', version: 'v1', kind: 'Pod' },
  namespace: 'apps',
  operation: 'CREATE',
  object: pod,
};
const view = new StaticClusterView(builtinCatalog(), []);
const policies = (rules: boolean) => new Policies({ ...defaultPolicies().doc, nativePolicies: { rules } });
const rulesOf = (warnings: readonly string[] = []) =>
  warnings.map((w) => /^\[([a-z-]+)\]/.exec(w)?.[1]).sort();

// nativePolicies.rules: the rules generated as ValidatingAdmissionPolicies are the API server's to
// say; the webhook says the others, so kubectl shows each finding once.
describe('validate with generated policies', () => {
  it('says every rule when nativePolicies.rules is false', () => {
    const d = validate(request, { view, policies: policies(false), today: '2026-11-29' });
    expect(rulesOf(d.response.warnings)).toEqual(['grace-period', 'naked-pod', 'requests-missing']);
  });

  it('leaves the generated rules to the API server when it is true', () => {
    const d = validate(request, { view, policies: policies(true), today: '2026-11-29' });
    expect(rulesOf(d.response.warnings)).toEqual(['requests-missing']);
  });
});
