/**
 * An EC2NodeClass's capacityReservationSelectorTerms resolved as Karpenter v1.14.1 resolves them
 * (pkg/controllers/nodeclass/capacityreservation.go, v1.CapacityReservationFromEC2): the active
 * reservations the terms select, sorted by id, each with its type, zone, owner, match criteria,
 * reservation type (`default` or `capacity-block`), interruptibility, end and state — `expiring` for a
 * capacity block in its last 40 minutes — and how many instances it can still take.
 */
import type { CapacityReservation as Ec2Reservation } from '@aws-sdk/client-ec2';
import type { Reservation } from '../../scheduling/reservations.js';
import type { AwsLookups, ReservationTerm } from './aws-lookups.js';

/** A capacity block is `expiring` this long before its end: nothing more is launched into it. */
const EXPIRING_MS = 40 * 60_000;

/** One of EC2's reservations as the class status holds it; undefined for one Karpenter would not take. */
export function reservationOf(cr: Ec2Reservation, now: Date): Reservation | undefined {
  const criteria = cr.InstanceMatchCriteria;
  if (criteria !== 'open' && criteria !== 'targeted') return undefined;
  const type: string = cr.ReservationType ?? 'default';
  if (type !== 'default' && type !== 'capacity-block') return undefined;
  if (!cr.CapacityReservationId || !cr.InstanceType || !cr.AvailabilityZone) return undefined;
  const end = cr.EndDate;
  const expiring =
    type === 'capacity-block' && end !== undefined && now.getTime() >= end.getTime() - EXPIRING_MS;
  return {
    id: cr.CapacityReservationId,
    instanceType: cr.InstanceType,
    zone: cr.AvailabilityZone,
    reservationType: type,
    interruptible: cr.Interruptible === true,
    state: expiring ? 'expiring' : 'active',
    instanceMatchCriteria: criteria,
    ...(cr.OwnerId !== undefined ? { ownerID: cr.OwnerId } : {}),
    ...(end !== undefined ? { endTime: end.toISOString() } : {}),
    available: cr.AvailableInstanceCount ?? 0,
  };
}

/** Karpenter's queries: a term with an id is looked up by it; one with tags or criteria by filters. */
export function queriesOf(terms: readonly ReservationTerm[]): ReservationTerm[] {
  const out: ReservationTerm[] = [];
  for (const t of terms) {
    if (t.id !== undefined && t.id !== '') out.push({ id: t.id });
    if (Object.keys(t.tags ?? {}).length > 0 || t.instanceMatchCriteria !== undefined)
      out.push({
        ...(t.ownerID !== undefined ? { ownerID: t.ownerID } : {}),
        ...(t.tags !== undefined ? { tags: t.tags } : {}),
        ...(t.instanceMatchCriteria !== undefined ? { instanceMatchCriteria: t.instanceMatchCriteria } : {}),
      });
  }
  return out;
}

export async function resolveReservations(
  lookups: Pick<AwsLookups, 'capacityReservations'>,
  terms: readonly ReservationTerm[],
  now: Date,
): Promise<Reservation[]> {
  const found = (await Promise.all(queriesOf(terms).map((q) => lookups.capacityReservations(q)))).flat();
  const byId = new Map<string, Reservation>();
  for (const cr of found) {
    const r = reservationOf(cr, now);
    if (r) byId.set(r.id, r);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}
