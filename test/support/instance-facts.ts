/** An instance type's facts for solver tables: allocatable is capacity less 100m CPU and 600 MiB. */
import { makeCatalog, type Catalog } from '../../src/catalog/catalog.js';
import type { InstanceTypeFacts } from '../../src/catalog/instance-type.js';

export function facts(
  name: string,
  [vcpu, memGiB, pods, price]: [number, number, number, number],
  extra: Partial<InstanceTypeFacts> = {},
): InstanceTypeFacts {
  return {
    name,
    family: name.split('.')[0] ?? name,
    category: name[0] ?? 'm',
    generation: 6,
    size: name.split('.')[1] ?? 'large',
    arch: 'amd64',
    os: 'linux',
    vcpu,
    memoryMiB: memGiB * 1024,
    hypervisor: 'nitro',
    cpuManufacturer: 'intel',
    networkBandwidthMbps: null,
    localNvmeGiB: null,
    gpu: null,
    allocatable: {
      cpuMillis: vcpu * 1000 - 100,
      memoryMiB: memGiB * 1024 - 600,
      pods,
      ephemeralStorageGiB: 20,
    },
    onDemandPriceUSDPerHour: price,
    ...extra,
  };
}

/** A catalog of these types in us-east-1a–c, as the solver's tables use. */
export function testCatalog(types: InstanceTypeFacts[]): Catalog {
  return makeCatalog({ source: 'test', region: 'us-east-1', instanceTypes: types }, [
    'us-east-1a',
    'us-east-1b',
    'us-east-1c',
  ]);
}
