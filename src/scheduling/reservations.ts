/**
 * EC2 capacity reservations as Karpenter v1.14.1 offers them (aws/karpenter-provider-aws
 * pkg/providers/instancetype/offering/reserved_capacity_resolver.go): each reservation an
 * EC2NodeClass resolves (status.capacityReservations) is an offering of its instance type in its zone
 * with capacity type `reserved`, priced at the on-demand price / 10,000,000 (so it is always taken
 * first: it is paid for already), and not available once expiring or full. A node launched into one
 * carries its id, type and interruptibility as labels. Pure.
 */
import type { InstanceType } from '../catalog/instance-type.js';
import type { Catalog } from '../catalog/catalog.js';
import { derivedCatalog } from '../catalog/derived.js';

export const RESERVATION_LABEL = {
  id: 'karpenter.k8s.aws/capacity-reservation-id',
  type: 'karpenter.k8s.aws/capacity-reservation-type',
  interruptible: 'karpenter.k8s.aws/capacity-reservation-interruptible',
} as const;

export const RESERVED = 'reserved';
/** Karpenter's reserved offering price: the on-demand price divided by this. */
export const RESERVED_PRICE_DIVISOR = 10_000_000;

export interface Reservation {
  readonly id: string;
  readonly instanceType: string;
  readonly zone: string;
  /** `default` or `capacity-block`. */
  readonly reservationType: string;
  readonly interruptible: boolean;
  /** `active`, or `expiring` (a capacity block in its last 40 minutes: nothing more is launched). */
  readonly state: string;
  readonly instanceMatchCriteria?: string;
  readonly ownerID?: string;
  readonly endTime?: string;
  /** Instances it can still take, when known (EC2's AvailableInstanceCount less launches since). */
  readonly available?: number;
}

interface StatusReservation {
  id?: string;
  instanceType?: string;
  availabilityZone?: string;
  reservationType?: string;
  interruptible?: boolean;
  state?: string;
  instanceMatchCriteria?: string;
  ownerID?: string;
  endTime?: string;
  availableInstanceCount?: number;
}

/** The reservations an EC2NodeClass's status lists (as Karpenter or Berth's class controller wrote it). */
export function reservationsOf(status: { capacityReservations?: unknown } | undefined): Reservation[] {
  const list = Array.isArray(status?.capacityReservations)
    ? (status.capacityReservations as StatusReservation[])
    : [];
  return list.flatMap((r) =>
    r.id === undefined || r.instanceType === undefined || r.availabilityZone === undefined
      ? []
      : [
          {
            id: r.id,
            instanceType: r.instanceType,
            zone: r.availabilityZone,
            reservationType: r.reservationType ?? 'default',
            interruptible: r.interruptible === true,
            state: r.state ?? 'active',
            ...(r.instanceMatchCriteria !== undefined
              ? { instanceMatchCriteria: r.instanceMatchCriteria }
              : {}),
            ...(r.ownerID !== undefined ? { ownerID: r.ownerID } : {}),
            ...(r.endTime !== undefined ? { endTime: r.endTime } : {}),
            ...(typeof r.availableInstanceCount === 'number' ? { available: r.availableInstanceCount } : {}),
          },
        ],
  );
}

/** Whether a reservation takes a launch now: active, and not known to be full. */
export function open(r: Reservation): boolean {
  return r.state !== 'expiring' && (r.available === undefined || r.available > 0);
}

/** The labels a node launched into the reservation carries. */
export function reservationLabels(r: Reservation): Record<string, string> {
  return {
    [RESERVATION_LABEL.id]: r.id,
    [RESERVATION_LABEL.type]: r.reservationType,
    [RESERVATION_LABEL.interruptible]: String(r.interruptible),
  };
}

/**
 * The catalog with the reservations' offerings: `reserved` in a reservation's zone for its type, at
 * Karpenter's price; every other offering as the catalog prices it. Cached per catalog and set.
 */
export function reservedCatalog(catalog: Catalog, reservations: readonly Reservation[] | undefined): Catalog {
  if (reservations === undefined || reservations.length === 0) return catalog;
  const key = reservations.map((r) => `${r.id}/${r.state}/${String(r.available)}`).join(',');
  return derivedCatalog(catalog, `reserved:${key}`, () => {
    const offered = new Set(reservations.filter(open).map((r) => `${r.instanceType}/${r.zone}`));
    return {
      price(type: InstanceType, zone: string, capacityType: string) {
        if (capacityType !== RESERVED) return catalog.price(type, zone, capacityType);
        if (!offered.has(`${type.name}/${zone}`) || type.onDemandPrice === null) return null;
        return type.onDemandPrice / RESERVED_PRICE_DIVISOR;
      },
    };
  });
}

/** The open reservation of a type in a zone with the most room (first by id among equals). */
export function reservationFor(
  reservations: readonly Reservation[],
  type: string,
  zone: string,
  taken: ReadonlyMap<string, number>,
): Reservation | undefined {
  const room = (r: Reservation) => (r.available ?? Number.POSITIVE_INFINITY) - (taken.get(r.id) ?? 0);
  return reservations
    .filter((r) => r.instanceType === type && r.zone === zone && r.state !== 'expiring' && room(r) > 0)
    .sort((a, b) => room(b) - room(a) || a.id.localeCompare(b.id))[0];
}
