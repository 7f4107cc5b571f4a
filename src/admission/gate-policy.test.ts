import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kube/objects.js';
import {
  GATE_CONDITIONS,
  GATE_POLICY,
  gatePolicy,
  gatePolicyBinding,
  type DeclaredGate,
} from './gate-policy.js';

interface Spec {
  paramKind: unknown;
  matchConstraints: { resourceRules: unknown[]; namespaceSelector: unknown; objectSelector?: unknown };
  matchConditions: { name: string; expression: string }[];
  mutations: { patchType: string; applyConfiguration: { expression: string } }[];
  failurePolicy: string;
  reinvocationPolicy: string;
}
const specOf = (o: KubeObject) => o.spec as Spec;

/** The gate webhook deploy/berth/webhooks.yaml declares (what each replica registers). */
function deployedGate(): DeclaredGate {
  for (const d of parseAllDocuments(readFileSync('deploy/berth/webhooks.yaml', 'utf8'))) {
    const cfg = d.toJS() as { webhooks?: (DeclaredGate & { name: string })[] } | null;
    const h = cfg?.webhooks?.find((w) => w.name === 'gate.berth.dev');
    if (h) return h;
  }
  throw new Error('deploy/berth/webhooks.yaml declares no gate.berth.dev');
}

describe('gatePolicy', () => {
  it("matches what the gate webhook is sent: its built-in conditions are deploy/'s", () => {
    expect(deployedGate().matchConditions).toEqual(GATE_CONDITIONS);
  });

  it("takes the declared gate webhook's selectors and conditions, and adds its own two", () => {
    const declared = deployedGate();
    const spec = specOf(gatePolicy({ namespace: 'berth-system', declared }));
    expect(spec.matchConstraints.namespaceSelector).toEqual(declared.namespaceSelector);
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

  it('without a declared webhook, leaves the system namespaces and its own alone', () => {
    const spec = specOf(gatePolicy({ namespace: 'platform' }));
    expect(spec.matchConstraints.namespaceSelector).toEqual({
      matchExpressions: [
        {
          key: 'kubernetes.io/metadata.name',
          operator: 'NotIn',
          values: ['kube-system', 'kube-public', 'kube-node-lease', 'karpenter', 'platform'],
        },
        { key: 'berth.dev/ignore', operator: 'DoesNotExist' },
      ],
    });
    expect(spec.matchConstraints.objectSelector).toBeUndefined();
  });

  it('adds berth.dev/capacity by server-side apply, its params the EndpointSlices of the Service', () => {
    const spec = specOf(gatePolicy({ namespace: 'berth-system' }));
    expect(spec.paramKind).toEqual({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' });
    expect(spec.mutations).toEqual([
      {
        patchType: 'ApplyConfiguration',
        applyConfiguration: {
          expression:
            "Object{spec: Object.spec{schedulingGates: [Object.spec.schedulingGates{name: 'berth.dev/capacity'}]}}",
        },
      },
    ]);
    const serves = spec.matchConditions.find((c) => c.name === 'a-replica-serves')?.expression ?? '';
    expect(serves).toContain('e.conditions.ready');
  });

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

  it('binding: owned by the policy, so that uninstalling the policy removes it', () => {
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

  it('deploy/gate-policy installs exactly this policy, for the gate webhook deploy/ declares', () => {
    const file = parseAllDocuments(readFileSync('deploy/gate-policy/berth-scheduling-gate.yaml', 'utf8'))
      .map((d) => d.toJS() as unknown)
      .filter((o) => o !== null);
    expect(file).toEqual([gatePolicy({ namespace: 'berth-system', declared: deployedGate() })]);
  });
});
