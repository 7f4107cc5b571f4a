import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { withoutServerDefaults } from './defaults.js';

const deploy = (metadata: NonNullable<KubeObject['metadata']>, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata,
  spec: { replicas, selector: {}, template: {} },
});
const ssa = (fields: Record<string, unknown>) => ({
  name: 'd',
  managedFields: [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': fields },
    },
  ],
});

describe('withoutServerDefaults', () => {
  it.each([
    [
      'kubectl apply without replicas',
      deploy({
        name: 'd',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"selector":{}}}' },
      }),
      'CREATE',
      false,
    ],
    [
      'kubectl apply with replicas: 1',
      deploy({
        name: 'd',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"replicas":1}}' },
      }),
      'CREATE',
      true,
    ],
    ['server-side apply without replicas', deploy(ssa({ 'f:selector': {} })), 'CREATE', false],
    ['server-side apply with replicas', deploy(ssa({ 'f:replicas': {} })), 'CREATE', true],
    ['nothing to tell by: taken as written', deploy({ name: 'd' }), 'CREATE', true],
    [
      'UPDATE: the value is the stored one',
      deploy({
        name: 'd',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}' },
      }),
      'UPDATE',
      true,
    ],
    [
      'replicas other than the default',
      deploy(
        { name: 'd', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}' } },
        4,
      ),
      'CREATE',
      true,
    ],
  ] as const)('%s', (_name, obj, op, kept) => {
    const out = withoutServerDefaults(obj, op);
    expect((out.spec as { replicas?: number }).replicas !== undefined).toBe(kept);
  });
});
