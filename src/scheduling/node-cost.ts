/**
 * What a node costs beside its instance: the EBS volumes its EC2NodeClass attaches (its
 * `blockDeviceMappings`, else the AMI family's defaults as Karpenter v1.14.1 writes them), priced per
 * GiB-month, plus what the platform team pays per host (policies.yaml `provisioner.nodeCost`).
 * Pure: the solver adds it to every type of the pool, so that many small nodes cost what they cost.
 */
import { parseQuantity } from '../kube/quantity.js';
import { amiFamilyOf } from './class-shape.js';

/** One EBS volume as a block device mapping gives it (sizes as Kubernetes quantities). */
export interface VolumeSpec {
  readonly gib: number;
  readonly volumeType: string;
  readonly iops?: number;
  readonly throughput?: number;
}

interface BdmSpec {
  deviceName?: string;
  ebs?: { volumeSize?: string; volumeType?: string; iops?: number; throughput?: number };
}

/** Hours in a month as AWS bills monthly rates by the hour. */
export const HOURS_PER_MONTH = 730;

/**
 * EBS list prices, us-east-1 (USD per GiB-month; gp3 also per provisioned IOPS above 3,000 and
 * MiB/s above 125; io1/io2 per provisioned IOPS, first tier). Other regions differ by a few percent.
 */
export const EBS_PRICES: Readonly<
  Record<string, { gibMonth: number; iopsMonth?: number; freeIops?: number; mibpsMonth?: number }>
> = {
  gp3: { gibMonth: 0.08, iopsMonth: 0.005, freeIops: 3000, mibpsMonth: 0.04 },
  gp2: { gibMonth: 0.1 },
  io1: { gibMonth: 0.125, iopsMonth: 0.065, freeIops: 0 },
  io2: { gibMonth: 0.125, iopsMonth: 0.065, freeIops: 0 },
  st1: { gibMonth: 0.045 },
  sc1: { gibMonth: 0.015 },
  standard: { gibMonth: 0.05 },
};

const GP3_FREE_MIBPS = 125;
const GIB = 2 ** 30;

/** Karpenter's DefaultEBS: 20 GiB gp3, encrypted. */
export const DEFAULT_VOLUME: VolumeSpec = { gib: 20, volumeType: 'gp3' };

/** The volumes Karpenter attaches when the class gives no blockDeviceMappings (amifamily/*.go). */
export function familyVolumes(family: string): VolumeSpec[] {
  if (family === 'Bottlerocket') return [{ gib: 4, volumeType: 'gp3' }, DEFAULT_VOLUME];
  if (family.startsWith('Windows')) return [{ gib: 50, volumeType: 'gp3' }];
  // AL2, AL2023; Custom keeps the AMI's own mappings, which Berth cannot see: priced as the default.
  return [DEFAULT_VOLUME];
}

/** The EBS volumes a node of this EC2NodeClass spec gets. */
export function classVolumes(spec: Readonly<Record<string, unknown>> | undefined): VolumeSpec[] {
  const maps = ((spec ?? {}) as { blockDeviceMappings?: BdmSpec[] }).blockDeviceMappings ?? [];
  if (maps.length === 0) return familyVolumes(amiFamilyOf(spec));
  return maps.flatMap((m) => {
    if (!m.ebs) return [];
    const bytes = parseQuantity(m.ebs.volumeSize);
    return [
      {
        gib: bytes === undefined ? DEFAULT_VOLUME.gib : bytes / GIB,
        volumeType: m.ebs.volumeType ?? 'gp3',
        ...(m.ebs.iops !== undefined ? { iops: m.ebs.iops } : {}),
        ...(m.ebs.throughput !== undefined ? { throughput: m.ebs.throughput } : {}),
      },
    ];
  });
}

/** One volume's price per hour (an unknown volume type is priced as gp3). */
export function volumePerHour(v: VolumeSpec): number {
  const p = EBS_PRICES[v.volumeType] ?? EBS_PRICES['gp3'] ?? { gibMonth: 0 };
  const iops = Math.max(0, (v.iops ?? 0) - (p.freeIops ?? 0)) * (p.iopsMonth ?? 0);
  const mibps =
    v.volumeType === 'gp3' ? Math.max(0, (v.throughput ?? 0) - GP3_FREE_MIBPS) * (p.mibpsMonth ?? 0) : 0;
  return (v.gib * p.gibMonth + iops + mibps) / HOURS_PER_MONTH;
}

/** The volumes' price per hour, summed. */
export function volumesPerHour(vs: readonly VolumeSpec[]): number {
  return vs.reduce((sum, v) => sum + volumePerHour(v), 0);
}

/** A node's cost beside its instance: its pool's volumes and the policies' per-node cost. */
export interface NodeCost {
  readonly volumesPerHour: number;
  readonly perNodePerHour: number;
}

export const nodeCostPerHour = (c: NodeCost): number => c.volumesPerHour + c.perNodePerHour;

/** Among plans within this fraction of the cheapest, the solver keeps the one with fewer nodes. */
export const DEFAULT_FEWER_NODES_WITHIN = 0.01;
