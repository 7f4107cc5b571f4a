import type { V1Node } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import { setUpCloud } from './cloud.js';
import { cloudKind, kwokDelayMs } from './cloud-flags.js';
import { kwokNode, KWOK_ANNOTATION } from './registrar.js';

describe('the cloud serve launches on', () => {
  it.each([
    [undefined, 'aws', 'aws'],
    ['simulated', 'aws', 'simulated'],
    ['kwok', 'aws', 'kwok'],
  ] as const)('--cloud %s (policies: %s) is %s', (flag, policies, kind) => {
    expect(cloudKind(flag, policies)).toBe(kind);
  });

  it('refuses another --cloud and a negative registration delay, naming the flag', () => {
    expect(() => cloudKind('gcp', 'aws')).toThrow('--cloud must be aws, simulated or kwok, got gcp');
    expect(() => kwokDelayMs('-1')).toThrow('--kwok-registration-delay');
    expect(kwokDelayMs(undefined)).toBe(0);
    expect(kwokDelayMs('2.5')).toBe(2500);
  });

  it("hands kwok a simulated Node: annotated, its capacity kept, its conditions left to kwok's stages", () => {
    const node: V1Node = {
      metadata: { name: 'n', labels: { a: 'b' } },
      status: {
        capacity: { cpu: '2' },
        allocatable: { cpu: '1930m' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    const managed = kwokNode(node);
    expect(managed.metadata?.annotations).toEqual({ [KWOK_ANNOTATION]: 'fake' });
    expect(managed.metadata?.labels).toEqual({ a: 'b' });
    expect(managed.status).toEqual({ capacity: { cpu: '2' }, allocatable: { cpu: '1930m' } });
    expect(node.status?.conditions).toHaveLength(1); // the input is not changed
  });

  it('refuses --kwok-faults on aws: faults are injected into the simulated cloud only', async () => {
    const catalog = builtinCatalog();
    const logger = pino({ level: 'silent' });
    const flags = { clusterName: 'c', nodeJoinTimeout: '15m', kwokFaults: '/nonexistent.json' };
    await expect(setUpCloud({ kind: 'aws', flags, catalog, catalogFromFile: false, logger })).rejects.toThrow(
      '--kwok-faults injects faults into the simulated cloud: it needs --cloud kwok or simulated',
    );
    const kwok = await setUpCloud({ kind: 'kwok', flags, catalog, catalogFromFile: false, logger });
    expect(kwok.cloud.name).toBe('simulated');
  });
});
