/**
 * A cluster in eu-west-1, through every offline command: its region comes from --region, policies.yaml
 * or the inputs' zones; zones, prices and messages are eu-west-1's; us-east-1 appears only where its
 * prices stand in, and then a notice says so. test/regions/eu-west-1/prices.json has the shape of
 * `aws pricing get-products` output (figures for the tests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';

const EU = 'test/regions/eu-west-1';
const POOLS = join(EU, 'nodepools.yaml');
const WORK = join(EU, 'workloads.yaml');
const PRICES = join(EU, 'prices.json');
/** The fixture's Linux on-demand prices, as the price list gives them. */
const EU_PRICES: Record<string, number> = Object.fromEntries(
  (JSON.parse(readFileSync(PRICES, 'utf8')) as { PriceList: string[] }).PriceList.map((raw) => {
    const item = JSON.parse(raw) as {
      product: {
        attributes: {
          instanceType: string;
          operatingSystem: string;
          tenancy: string;
          capacitystatus: string;
        };
      };
      terms: {
        OnDemand: Record<string, { priceDimensions: Record<string, { pricePerUnit: { USD: string } }> }>;
      };
    };
    const a = item.product.attributes;
    const dims = Object.values(item.terms.OnDemand).flatMap((t) => Object.values(t.priceDimensions));
    const linux = a.operatingSystem === 'Linux' && a.tenancy === 'Shared' && a.capacitystatus === 'Used';
    return [linux ? a.instanceType : '', Number(dims[0]?.pricePerUnit.USD)];
  }),
);
const BORROWED =
  "berth: notice: prices and instance types are us-east-1's: Berth carries no eu-west-1 price list";

async function policies(...more: string[]): Promise<string> {
  const init = await berth('init', '--nodepools', POOLS, ...more);
  expect(init.code).toBe(0);
  return join(tmp({ 'policies.yaml': init.out }), 'policies.yaml');
}

describe('berth init in eu-west-1', () => {
  it("takes the region from the pools' zones, and says so", async () => {
    const r = await berth('init', '--nodepools', POOLS);
    expect(r.out).toMatch(/^region: eu-west-1\n/m);
    expect(r.out).toContain('zones: [ eu-west-1a, eu-west-1b ]');
    expect(r.err).toContain("berth init: region: eu-west-1 (from the pools' zones)");
  });

  it('writes --region and its zones for pools that name none', async () => {
    const r = await berth('init', '--nodepools', 'deploy/nodepools', '--region', 'eu-west-1');
    expect(r.out).toMatch(/^region: eu-west-1\n/m);
    expect(r.out).not.toMatch(/^zones:/m);
    expect(r.err).toContain(
      "zones: eu-west-1a, eu-west-1b, eu-west-1c (the region's; set zones when the cluster's differ)",
    );
  });

  it('refuses a region the pools are not in, and an unknown one', async () => {
    const other = await berth('init', '--nodepools', POOLS, '--region', 'us-east-2');
    expect(other.code).toBe(2);
    expect(other.err).toContain('zones[0]: eu-west-1a is not a zone of us-east-2');
    const typo = await berth('init', '--nodepools', POOLS, '--region', 'eu-west1');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--region: unknown region "eu-west1"; did you mean eu-west-1?');
  });
});

describe('berth check in eu-west-1', () => {
  const loose = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: loose }
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
`;

  it("the NodePool review names eu-west-1's zones", async () => {
    const dir = tmp({ 'loose.yaml': loose });
    const r = await berth('check', '-f', dir, '--region', 'eu-west-1', '-o', 'json');
    expect(r.out).toContain('values: [eu-west-1a, eu-west-1b, eu-west-1c]');
    expect(r.out).not.toContain('us-east-1');
  });

  it('refuses policies.yaml zones of another region', async () => {
    const dir = tmp({
      'policies.yaml': readFileSync('policies.yaml', 'utf8').replace(
        'runtimeClasses:',
        'zones: [us-east-1a, us-east-1b]\nruntimeClasses:',
      ),
      'loose.yaml': loose,
    });
    const r = await berth(
      'check',
      '-f',
      join(dir, 'loose.yaml'),
      '--policies',
      join(dir, 'policies.yaml'),
      '--region',
      'eu-west-1',
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('zones us-east-1a, us-east-1b are not in eu-west-1 (--region)');
  });

  it('refuses a price list of another region', async () => {
    const r = await berth('check', '-f', WORK, '--region', 'eu-west-2', '--prices', PRICES);
    expect(r.code).toBe(2);
    expect(r.err).toContain("its prices are eu-west-1's, but the region is eu-west-2");
  });
});

describe('berth plan and cost in eu-west-1', () => {
  it("without a price list: eu-west-1's zones, us-east-1's prices, and a notice", async () => {
    const p = await policies();
    const r = await berth('plan', '-f', WORK, '--nodepools', POOLS, '--policies', p, '-o', 'json');
    expect(r.code).toBe(0);
    expect(r.err).toContain(BORROWED);
    const plan = JSON.parse(r.out) as { nodes: { zone: string }[] };
    expect(plan.nodes.every((n) => n.zone.startsWith('eu-west-1'))).toBe(true);
  });

  it("with its price list: eu-west-1's prices, only the types it sells, no notice", async () => {
    const p = await policies();
    const args = ['-f', WORK, '--nodepools', POOLS, '--policies', p, '--prices', PRICES];
    const r = await berth('plan', ...args, '-o', 'json');
    expect(r.err).not.toContain('notice: prices');
    const plan = JSON.parse(r.out) as {
      nodes: { instanceType: string; pricePerHour: number }[];
      totals: { wholePerHour: number };
    };
    const sold = new Set([
      'c5.large',
      'c5.xlarge',
      'c5.2xlarge',
      'm5.large',
      'm5.xlarge',
      'm5.2xlarge',
      'm5.4xlarge',
      'r5.large',
      'r5.xlarge',
      'm7i.large',
      'm7i.xlarge',
      'm5.metal',
      't3.medium',
    ]);
    expect(plan.nodes.length).toBeGreaterThan(0);
    for (const n of plan.nodes) {
      expect(sold.has(n.instanceType), n.instanceType).toBe(true);
      expect(n.pricePerHour).toBe(EU_PRICES[n.instanceType]);
    }
    const cost = await berth('cost', ...args, '--by', 'workload', '-o', 'json');
    const c = JSON.parse(cost.out) as { totalPerHour: number; groups: { key: string }[] };
    expect(c.groups.map((g) => g.key).sort()).toEqual(['(idle)', 'shop/Deployment/storefront']);
    expect(c.totalPerHour).toBeCloseTo(plan.totals.wholePerHour, 4);
  });
});

describe('berth why and migrate in eu-west-1', () => {
  const eu = (file: string) => readFileSync(file, 'utf8').replaceAll('us-east-1', 'eu-west-1');

  it("why reads the region from the dump's Nodes and prices with its list", async () => {
    const dir = tmp({
      'cluster.yaml': eu('test/why/cluster.yaml'),
      'dump.yaml': eu('test/why/node-empty/dump.yaml'),
    });
    const files = ['-f', join(dir, 'cluster.yaml'), join(dir, 'dump.yaml')];
    const at = ['--at', '2026-11-27T12:00:00Z'];
    const borrowed = await berth('why', 'node', 'ip-10-0-1-22.ec2.internal', ...at, ...files);
    expect(borrowed.err).toContain(BORROWED);
    const r = await berth('why', 'node', 'ip-10-0-1-22.ec2.internal', ...at, ...files, '--prices', PRICES);
    expect(r.err).toBe('');
    expect(r.out).toContain("the NodePools' nodes cost $0.4280/h before and $0.2140/h after");
    expect(r.out).toContain('m5.xlarge (on-demand, eu-west-1b), $0.2140/h');
    expect(r.out).not.toContain('us-east-1');
  });

  it("migrate keeps the pools' eu-west-1 zones and names no other region", async () => {
    const r = await berth('migrate', '--to', 'auto-mode', '-f', POOLS, WORK, '--prices', PRICES);
    expect(r.out).toContain('- eu-west-1a');
    expect(`${r.out}${r.err}`).not.toContain('us-east-1');
  });
});

describe('policies.yaml region', () => {
  it('berth policies validate refuses an unknown region and zones of another, at their lines', async () => {
    const dir = tmp({
      'typo.yaml': 'apiVersion: berth.dev/v1alpha1\nkind: Policies\nregion: eu-west1\nruntimeClasses: {}\n',
      'zones.yaml':
        'apiVersion: berth.dev/v1alpha1\nkind: Policies\nregion: eu-west-1\nzones: [eu-west-1a, us-east-1b]\nruntimeClasses: {}\n',
    });
    const typo = await berth('policies', 'validate', join(dir, 'typo.yaml'));
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('typo.yaml:3:9: region: unknown region "eu-west1"; did you mean eu-west-1?');
    const zones = await berth('policies', 'validate', join(dir, 'zones.yaml'));
    expect(zones.err).toContain('zones.yaml:4:21: zones[1]: us-east-1b is not a zone of eu-west-1');
  });

  it('region in policies.yaml decides for every command', async () => {
    const dir = tmp({
      'policies.yaml': readFileSync('policies.yaml', 'utf8').replace(
        'runtimeClasses:',
        'region: eu-west-1\nruntimeClasses:',
      ),
    });
    const r = await berth('plan', '-f', 'examples', '--policies', join(dir, 'policies.yaml'), '-o', 'json');
    expect(r.err).toContain(BORROWED);
    const plan = JSON.parse(r.out) as { nodes: { zone: string }[] };
    expect(new Set(plan.nodes.map((n) => n.zone.slice(0, -1)))).toEqual(new Set(['eu-west-1']));
  });
});
