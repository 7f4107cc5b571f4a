/**
 * The catalog in aws mode: instance types from DescribeInstanceTypes, spot prices from
 * DescribeSpotPriceHistory (the latest quote per type and zone), on-demand prices from the built-in
 * table (EC2 has no price API; the Pricing API is another service), allocatable from the overhead
 * model. AwsCatalogSource keeps the last good catalog and refreshes it periodically.
 */
import {
  DescribeInstanceTypesCommand,
  DescribeSpotPriceHistoryCommand,
  type EC2Client,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { CloudError } from '../provisioner/cloud/provider.js';
import { makeCatalog, type Catalog } from './catalog.js';
import { LABEL, type InstanceTypeFacts } from './instance-type.js';
import { allocatableCpuMillis, allocatableMemoryMiB, eniMaxPods } from './overhead.js';

export interface AwsCatalogOptions {
  readonly client: EC2Client;
  readonly region: string;
  /** Zones Berth launches in (those with a subnet); the region's a–c when absent. */
  readonly zones?: readonly string[];
  /** The built-in catalog: on-demand prices and facts EC2 does not describe (network bandwidth). */
  readonly builtin: Catalog;
  readonly now: () => Date;
}

function nameParts(name: string): { family: string; size: string; category: string; generation: number } {
  const [family = name, size = ''] = name.split('.');
  const m = /^([a-z]+)(\d+)/.exec(family);
  return { family, size, category: m?.[1] ?? family, generation: Number(m?.[2] ?? 0) };
}

type Gpu = InstanceTypeFacts['gpu'];

function gpuOf(info: InstanceTypeInfo): Gpu {
  const g = info.GpuInfo?.Gpus?.[0];
  if (!g) return null;
  return {
    name: g.Name ?? '',
    manufacturer: g.Manufacturer ?? '',
    count: g.Count ?? 0,
    memoryMiB: g.MemoryInfo?.SizeInMiB ?? 0,
  };
}

/** What pods need from a described type, or undefined when EC2 leaves part of it out. */
function coreOf(info: InstanceTypeInfo) {
  const name = info.InstanceType;
  const vcpu = info.VCpuInfo?.DefaultVCpus;
  const memoryMiB = info.MemoryInfo?.SizeInMiB;
  const enis = info.NetworkInfo?.MaximumNetworkInterfaces;
  const ips = info.NetworkInfo?.Ipv4AddressesPerInterface;
  if (!name || !vcpu || !memoryMiB || !enis || !ips) return undefined;
  const arch = info.ProcessorInfo?.SupportedArchitectures?.includes('arm64') ? 'arm64' : 'amd64';
  return { name, vcpu, memoryMiB, arch, pods: eniMaxPods(enis, ips) };
}

/** One described type as the shared data's facts (undefined when EC2 leaves out what pods need). */
export function factsOf(info: InstanceTypeInfo, builtin: Catalog): InstanceTypeFacts | undefined {
  const core = coreOf(info);
  if (!core) return undefined;
  const { name, vcpu, memoryMiB, arch, pods } = core;
  const gpu = gpuOf(info);
  const known = builtin.byName(name);
  const bandwidth = known?.labels[LABEL.bandwidth];
  return {
    name,
    ...nameParts(name),
    arch,
    os: 'linux',
    vcpu,
    memoryMiB,
    hypervisor: info.Hypervisor ?? null,
    cpuManufacturer: info.ProcessorInfo?.Manufacturer?.toLowerCase() ?? null,
    networkBandwidthMbps: bandwidth === undefined ? null : Number(bandwidth),
    localNvmeGiB: info.InstanceStorageInfo?.TotalSizeInGB ?? null,
    gpu,
    allocatable: {
      cpuMillis: allocatableCpuMillis(vcpu),
      memoryMiB: allocatableMemoryMiB(memoryMiB, arch, pods),
      pods,
      ephemeralStorageGiB: 17, // the default 20 GiB root volume less reservations, as for every type in the data
      ...(gpu && /nvidia/i.test(gpu.manufacturer) ? { nvidiaGpu: gpu.count } : {}),
    },
    onDemandPriceUSDPerHour: known?.onDemandPrice ?? null,
  };
}

async function describeTypes(o: AwsCatalogOptions): Promise<InstanceTypeFacts[]> {
  const out: InstanceTypeFacts[] = [];
  let NextToken: string | undefined;
  do {
    const page = await o.client.send(new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken }));
    for (const info of page.InstanceTypes ?? []) {
      const f = factsOf(info, o.builtin);
      if (f) out.push(f);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** The latest Linux spot quote per `<type>/<zone>`. */
async function spotQuotes(o: AwsCatalogOptions): Promise<Map<string, number>> {
  const latest = new Map<string, { price: number; at: number }>();
  let NextToken: string | undefined;
  do {
    const page = await o.client.send(
      new DescribeSpotPriceHistoryCommand({
        ProductDescriptions: ['Linux/UNIX'],
        StartTime: o.now(),
        NextToken,
      }),
    );
    for (const q of page.SpotPriceHistory ?? []) {
      const price = Number(q.SpotPrice);
      const key = `${q.InstanceType ?? ''}/${q.AvailabilityZone ?? ''}`;
      const at = q.Timestamp?.getTime() ?? 0;
      if (!Number.isFinite(price)) continue;
      if ((latest.get(key)?.at ?? -1) < at) latest.set(key, { price, at });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return new Map([...latest].map(([k, v]) => [k, v.price]));
}

export async function describeCatalog(o: AwsCatalogOptions): Promise<Catalog> {
  try {
    const [types, quotes] = await Promise.all([describeTypes(o), spotQuotes(o)]);
    const source = `aws ${o.region} DescribeInstanceTypes + DescribeSpotPriceHistory, ${o.now().toISOString()}`;
    return makeCatalog({ source, region: o.region, instanceTypes: types }, o.zones, quotes);
  } catch (cause) {
    throw new CloudError(`describing the instance catalog of ${o.region}: ${String(cause)}`, { cause });
  }
}

/** The current catalog: the built-in one until EC2 has been described, then the last good description. */
export class AwsCatalogSource {
  private catalog: Catalog;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: AwsCatalogOptions,
    private readonly onError: (e: unknown) => void,
  ) {
    this.catalog = o.builtin;
  }

  get current(): Catalog {
    return this.catalog;
  }

  async refresh(): Promise<Catalog> {
    this.catalog = await describeCatalog(this.o);
    return this.catalog;
  }

  /** Refreshes now and every `everyMs` (spot prices move hourly); failures keep the last catalog. */
  start(everyMs: number): void {
    const tick = (): void => {
      this.refresh().catch(this.onError);
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
