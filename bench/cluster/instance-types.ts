/**
 * Karpenter's kwok provider reads its instance types from INSTANCE_TYPES_FILE_PATH (JSON: name,
 * offerings with price and zone/capacity-type requirements, architecture, operating systems,
 * resources). This writes that file from Berth's catalog, so that both provisioners of
 * `npm run bench:cluster` choose among the same types at the same prices: the types a Berth NodePool
 * allows, every zone of the catalog, on-demand and spot prices as Berth prices them.
 *
 * Resources: the provider makes a node's allocatable its capacity minus 100m CPU and 10Mi of memory
 * (its only overhead), so the file carries Berth's allocatable plus those, and Karpenter's nodes end
 * with exactly the allocatable Berth's nodes of that type have. Pods: Berth's max pods per type (the
 * provider's default would be 110).
 */
import type { Catalog } from '../../src/catalog/catalog.js';
import type { InstanceType } from '../../src/catalog/instance-type.js';
import { poolView } from '../../src/scheduling/nodepool.js';
import type { NodePool } from '../../src/scheduling/nodepool.js';
import { poolTypesFor } from '../../src/scheduling/placement.js';
import { Requirements } from '../../src/scheduling/requirements.js';

export interface KwokOffering {
  Price: number;
  Available: boolean;
  Requirements: { key: string; operator: 'In'; values: string[] }[];
}

export interface KwokInstanceType {
  name: string;
  offerings: KwokOffering[];
  architecture: string;
  operatingSystems: string[];
  resources: Record<string, string>;
}

/** The provider's kube-reserved, which it subtracts from the resources the file gives. */
export const KWOK_OVERHEAD = { cpuMillis: 100, memoryMiB: 10 };

function resourcesOf(t: InstanceType): Record<string, string> {
  const a = t.allocatable;
  return {
    cpu: `${a.cpuMillis + KWOK_OVERHEAD.cpuMillis}m`,
    memory: `${a.memoryMiB + KWOK_OVERHEAD.memoryMiB}Mi`,
    pods: String(a.pods),
    'ephemeral-storage': `${a.ephemeralMiB}Mi`,
    ...(a.nvidiaGpu > 0 ? { 'nvidia.com/gpu': String(a.nvidiaGpu) } : {}),
  };
}

function offeringsOf(catalog: Catalog, t: InstanceType): KwokOffering[] {
  const out: KwokOffering[] = [];
  for (const capacityType of ['on-demand', 'spot'])
    for (const zone of catalog.zones) {
      const price = catalog.price(t, zone, capacityType);
      if (price === null) continue;
      out.push({
        Price: price,
        Available: true,
        Requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: [capacityType] },
          { key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] },
        ],
      });
    }
  return out;
}

/** The types `pool` allows in `catalog`, in the provider's file format. */
export function kwokInstanceTypes(catalog: Catalog, pool: NodePool): KwokInstanceType[] {
  return poolTypesFor(poolView(pool), Requirements.of([]), catalog)
    .map((t) => ({
      name: t.name,
      offerings: offeringsOf(catalog, t),
      architecture: t.labels['kubernetes.io/arch'] ?? 'amd64',
      operatingSystems: [t.labels['kubernetes.io/os'] ?? 'linux'],
      resources: resourcesOf(t),
    }))
    .filter((t) => t.offerings.length > 0);
}
