import { readFileSync } from 'node:fs';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { builtinCatalog } from '../../catalog/catalog.js';
import { capacityTypeOf, nodeGroups } from './inventory.js';
import { parseDescribed } from './describe.js';
import { podClass, poolLimits } from './pool.js';

const catalog = builtinCatalog();
const objects = parseAllDocuments(
  readFileSync(new URL('../../../test/migrate/nodegroups.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJSON() as { kind: string });
const nodes = objects.filter((o) => o.kind === 'Node') as unknown as V1Node[];
const pods = objects.filter((o) => o.kind === 'Pod') as unknown as V1Pod[];

describe('node groups from their Nodes', () => {
  const groups = nodeGroups(nodes, pods, catalog);
  it('groups the Nodes by their node group label, with what all of them share', () => {
    expect(groups.map((g) => [g.name, g.nodes.length, g.instanceTypes, g.capacityTypes, g.zones])).toEqual([
      ['batch-spot', 2, ['c5.2xlarge'], ['spot'], ['us-east-1a', 'us-east-1b']],
      ['general-ng', 3, ['m5.xlarge'], ['on-demand'], ['us-east-1a', 'us-east-1b']],
    ]);
    expect(groups[0]?.labels).toEqual({ workload: 'batch' });
    expect(groups[0]?.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
    expect(groups[1]?.labels).toEqual({ team: 'shop' });
  });

  it('prices each group at its capacity type and finds its pods', () => {
    expect(groups[1]?.pricePerHour).toBeCloseTo(
      3 * (catalog.price(catalog.byName('m5.xlarge')!, 'us-east-1a', 'on-demand') ?? 0),
      6,
    );
    expect(groups.map((g) => g.pods.length)).toEqual([3, 4]);
  });

  it.each([
    ['ON_DEMAND', 'on-demand'],
    ['SPOT', 'spot'],
    ['CAPACITY_BLOCK', 'reserved'],
    [undefined, 'on-demand'],
  ])("reads EKS's capacity type %s as %s", (eks, want) => {
    expect(capacityTypeOf(eks)).toBe(want);
  });

  it.each([
    [{ nodeSelector: { 'berth.dev/runtime-class': 'batch' } }, {}, 'batch'],
    [{}, { 'berth.dev/runtime-class': 'memory' }, 'memory'],
    [{ runtimeClassName: 'gvisor' }, {}, 'gvisor'],
    [{}, {}, 'general'],
  ])('puts a pod of %j %j in class %s', (spec, labels, want) => {
    expect(podClass(spec, labels)).toBe(want);
  });
});

describe("a proposed pool's limits", () => {
  const groups = nodeGroups(nodes, pods, catalog);
  const described = parseDescribed(
    readFileSync(new URL('../../../test/migrate/nodegroups-described.json', import.meta.url), 'utf8'),
    'described.json',
  );
  it("hold each group's max size times its largest type", () => {
    expect(
      poolLimits(
        groups.filter((g) => g.name === 'batch-spot'),
        described,
        catalog,
      ),
    ).toEqual({ cpu: '48', memory: '96Gi' });
    expect(poolLimits(groups, described, catalog)).toEqual({ cpu: '88', memory: '256Gi' });
  });
  it('are twice the vCPUs of today without describe-nodegroup', () => {
    expect(
      poolLimits(
        groups.filter((g) => g.name === 'general-ng'),
        new Map(),
        catalog,
      ),
    ).toEqual({ cpu: '24' });
  });
  it.each([
    ['{"nodegroup": {"nodegroupName": "a"}}', 'x.json[0]: not the output of aws eks describe-nodegroup'],
    ['{nope', 'x.json: '],
  ])('refuses %s', (text, want) => {
    expect(() => parseDescribed(text, 'x.json')).toThrow(want);
  });
  it('takes one group, a list, or {nodegroups: […]}', () => {
    const one = '{"nodegroup": {"nodegroupName": "a", "scalingConfig": {"maxSize": 3}}}';
    expect([...parseDescribed(one, 'f').keys()]).toEqual(['a']);
    expect([...parseDescribed(`{"nodegroups": [${one.slice(13, -1)}]}`, 'f').keys()]).toEqual(['a']);
  });
});
