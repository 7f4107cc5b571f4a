import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SCHEDULING_GATE } from './gate.js';
import { GATE_POLICY, gatePolicyBinding } from './gate-policy.js';

interface Condition {
  name: string;
  expression: string;
}
interface Selectors {
  namespaceSelector?: unknown;
  objectSelector?: unknown;
}
interface Spec {
  paramKind: unknown;
  matchConstraints: Selectors & { resourceRules: unknown[] };
  matchConditions: Condition[];
  mutations: { patchType: string; applyConfiguration: { expression: string } }[];
  failurePolicy: string;
  reinvocationPolicy: string;
}

const docsOf = (file: string): unknown[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((o) => o !== null);

/** The gate webhook deploy/berth/webhooks.yaml declares (what each replica registers). */
function deployedGate(): Selectors & { matchConditions: Condition[] } {
  for (const cfg of docsOf('deploy/berth/webhooks.yaml') as { webhooks?: { name: string }[] }[]) {
    const h = cfg.webhooks?.find((w) => w.name === 'gate.berth.dev');
    if (h) return h as unknown as Selectors & { matchConditions: Condition[] };
  }
  throw new Error('deploy/berth/webhooks.yaml declares no gate.berth.dev');
}

/** deploy/gate-policy's policy (test/chart.test.ts holds the chart's equal to it). */
function installed(): { kind: string; metadata: { name: string }; spec: Spec } {
  const docs = docsOf('deploy/gate-policy/berth-scheduling-gate.yaml');
  expect(docs).toHaveLength(1);
  return docs[0] as { kind: string; metadata: { name: string }; spec: Spec };
}

describe('deploy/gate-policy: MutatingAdmissionPolicy berth-scheduling-gate', () => {
  it("takes the gate webhook's selectors and conditions, and adds its own two", () => {
    const hook = deployedGate();
    const { kind, metadata, spec } = installed();
    expect([kind, metadata.name]).toEqual(['MutatingAdmissionPolicy', GATE_POLICY]);
    expect(spec.matchConstraints.namespaceSelector).toEqual(hook.namespaceSelector);
    expect(spec.matchConstraints.objectSelector).toEqual(hook.objectSelector);
    expect(spec.matchConditions.slice(0, hook.matchConditions.length)).toEqual(hook.matchConditions);
    expect(spec.matchConditions.map((c) => c.name)).toEqual([
      'unbound',
      'default-scheduler',
      'not-a-daemonset-pod',
      'not-gated',
      'a-replica-serves',
    ]);
    expect(spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['pods'],
        scope: 'Namespaced',
      },
    ]);
    expect(spec.failurePolicy).toBe('Ignore');
    expect(spec.reinvocationPolicy).toBe('Never');
  });

  it('adds berth.dev/capacity by server-side apply, its params the EndpointSlices of the Service', () => {
    const { spec } = installed();
    expect(spec.paramKind).toEqual({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' });
    expect(spec.mutations).toEqual([
      {
        patchType: 'ApplyConfiguration',
        applyConfiguration: {
          expression: `Object{spec: Object.spec{schedulingGates: [Object.spec.schedulingGates{name: '${SCHEDULING_GATE}'}]}}`,
        },
      },
    ]);
    const condition = (name: string) => spec.matchConditions.find((c) => c.name === name)?.expression ?? '';
    expect(condition('not-gated')).toContain(`g.name == '${SCHEDULING_GATE}'`);
    expect(condition('a-replica-serves')).toContain('e.conditions.ready');
  });
});

describe('gatePolicyBinding', () => {
  it('binds to the ready endpoints of Berth own Service; none found, nothing is gated', () => {
    const b = gatePolicyBinding({ namespace: 'platform', service: 'berth-webhook' });
    expect(b.metadata?.name).toBe(GATE_POLICY);
    expect(b.spec).toEqual({
      policyName: GATE_POLICY,
      paramRef: {
        namespace: 'platform',
        selector: { matchLabels: { 'kubernetes.io/service-name': 'berth-webhook' } },
        parameterNotFoundAction: 'Allow',
      },
    });
  });

  it('is owned by the policy, so that uninstalling the policy removes it', () => {
    expect(gatePolicyBinding({ namespace: 'x' }, 'u-1').metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingAdmissionPolicy',
        name: GATE_POLICY,
        uid: 'u-1',
      },
    ]);
    expect(gatePolicyBinding({ namespace: 'x' }).metadata?.ownerReferences).toBeUndefined();
  });
});
