import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import { poolCatalog, poolViewWithClass, type NodePool } from './nodepool.js';
import { reservationFor, reservationsOf, reservedCatalog, type Reservation } from './reservations.js';

const catalog = builtinCatalog();
const m5 = catalog.byName('m5.xlarge');
const r = (over: Partial<Reservation> = {}): Reservation => ({
  id: 'cr-1',
  instanceType: 'm5.xlarge',
  zone: 'us-east-1a',
  reservationType: 'default',
  interruptible: false,
  state: 'active',
  available: 2,
  ...over,
});

// aws/karpenter-provider-aws v1.14.1 pkg/providers/instancetype/offering/reserved_capacity_resolver.go
// (ResolveOfferings): one `reserved` offering per reservation, in its zone, at the on-demand price /
// 10,000,000, available unless full or expiring.
describe('reservedCatalog (ReservedCapacityResolver.ResolveOfferings)', () => {
  it('offers the reservation’s type in its zone at the on-demand price / 10,000,000, nowhere else', () => {
    const c = reservedCatalog(catalog, [r()]);
    if (!m5) throw new Error('m5.xlarge not in the catalog');
    expect(c.price(m5, 'us-east-1a', 'reserved')).toBeCloseTo((m5.onDemandPrice ?? 0) / 10_000_000, 12);
    expect(c.price(m5, 'us-east-1b', 'reserved')).toBeNull();
    expect(c.price(m5, 'us-east-1a', 'on-demand')).toBe(m5.onDemandPrice);
  });

  it.each([
    ['full', r({ available: 0 })],
    ['expiring', r({ state: 'expiring', reservationType: 'capacity-block' })],
  ])('a %s reservation is offered nowhere', (_what, res) => {
    if (!m5) throw new Error('m5.xlarge not in the catalog');
    expect(reservedCatalog(catalog, [res]).price(m5, 'us-east-1a', 'reserved')).toBeNull();
  });
});

describe('reservationFor: the reservation a launch takes', () => {
  it('takes the one with most room left, and none once the plan has filled them', () => {
    const both = [r({ id: 'cr-a', available: 1 }), r({ id: 'cr-b', available: 2 })];
    const taken = new Map<string, number>();
    expect(reservationFor(both, 'm5.xlarge', 'us-east-1a', taken)?.id).toBe('cr-b');
    taken.set('cr-b', 2);
    expect(reservationFor(both, 'm5.xlarge', 'us-east-1a', taken)?.id).toBe('cr-a');
    taken.set('cr-a', 1);
    expect(reservationFor(both, 'm5.xlarge', 'us-east-1a', taken)).toBeUndefined();
  });
});

describe('a class status’s reservations reach its pools', () => {
  it('reads status.capacityReservations (Karpenter’s fields, and availableInstanceCount)', () => {
    const status = {
      capacityReservations: [
        { id: 'cr-1', instanceType: 'm5.xlarge', availabilityZone: 'us-east-1a', availableInstanceCount: 3 },
        {
          id: 'cr-2',
          instanceType: 'p5.48xlarge',
          availabilityZone: 'us-east-1b',
          reservationType: 'capacity-block',
          interruptible: true,
        },
      ],
    };
    expect(reservationsOf(status)).toEqual([
      r({ available: 3 }),
      {
        id: 'cr-2',
        instanceType: 'p5.48xlarge',
        zone: 'us-east-1b',
        reservationType: 'capacity-block',
        interruptible: true,
        state: 'active',
      },
    ]);
    const pool: NodePool = {
      metadata: { name: 'p' },
      spec: { template: { spec: { nodeClassRef: { name: 'c' } } } },
    };
    const view = poolViewWithClass(pool, { metadata: { name: 'c' }, status });
    if (!m5) throw new Error('m5.xlarge not in the catalog');
    expect(poolCatalog(view, catalog).price(m5, 'us-east-1a', 'reserved')).not.toBeNull();
  });
});
