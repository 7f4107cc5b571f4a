import { describe, expect, it } from 'vitest';
import { cheapestFleet, type Offer } from '../bench/cluster/cheapest.js';
import { res } from '../src/provisioner/solver/resources.js';

// Two of the catalog's types as bench:cluster's pool sees them (allocatable, on-demand prices).
const memoryNode: Offer = { name: 'r6g.4xlarge', pricePerHour: 0.8064, room: res(15_890, 118_253, 234) };
const cpuNode: Offer = { name: 't4g.2xlarge', pricePerHour: 0.2688, room: res(7_910, 29_258, 58) };
const large = (count: number) => ({ requests: res(3_500, 28 * 1024), count });
const small = (count: number) => ({ requests: res(900, 3_100), count });

describe('cheapestFleet', () => {
  it.each([
    // Four large pods and one small beside them on the memory type; eight small on the other.
    ['the small pod beside four large rides free', [large(4), small(1)], 0.8064, ['1 r6g.4xlarge']],
    [
      'a fifth large pod takes the cheaper node that holds it',
      [large(5), small(0)],
      0.8064 + 0.2688,
      ['1 r6g.4xlarge', '1 t4g.2xlarge'],
    ],
    ['eight large pods: two memory nodes', [large(8), small(0)], 1.6128, ['2 r6g.4xlarge']],
    [
      'small pods beyond the room beside the large take the cheaper type',
      [large(4), small(9)],
      0.8064 + 0.2688,
      ['1 r6g.4xlarge', '1 t4g.2xlarge'],
    ],
    ['one shape alone', [small(16)], 0.5376, ['2 t4g.2xlarge']],
  ] as const)('%s', (_, shapes, price, nodes) => {
    const fleet = cheapestFleet([memoryNode, cpuNode], shapes);
    expect(fleet?.pricePerHour).toBeCloseTo(price, 6);
    expect(fleet?.nodes.map((n) => `${n.count} ${n.type}`).sort()).toEqual([...nodes].sort());
  });

  it('is undefined when a pod fits no type, and refuses more than two shapes', () => {
    const tiny: Offer = { name: 't4g.large', pricePerHour: 0.0672, room: res(1_930, 7_000, 35) };
    expect(cheapestFleet([tiny], [large(1)])).toBeUndefined();
    expect(() => cheapestFleet([cpuNode], [small(1), small(1), small(1)])).toThrow(/one or two/);
  });
});
