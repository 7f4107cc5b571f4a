import { describe, expect, it } from 'vitest';
import type { InstanceType } from '../../catalog/instance-type.js';
import type { TypeOption } from './pools.js';
import { firstAtLeast, mayHold } from './price-index.js';
import { ZERO } from './resources.js';

const option = (name: string, price: number, cpu: number, mem: number): TypeOption => ({
  type: { name } as InstanceType,
  cap: { ...ZERO, cpu, mem },
  price,
});

// Cheapest first, as a pool's list is: a dear small type after a cheaper large one.
const types = [
  option('a', 0.1, 2000, 4096),
  option('b', 0.2, 8000, 16384),
  option('c', 0.2, 4000, 65536),
  option('d', 0.5, 1000, 1024),
  option('e', 2.0, 24000, 262144),
];

describe('firstAtLeast', () => {
  it.each([
    [0, false, 0],
    [0.1, false, 0],
    [0.15, false, 1],
    [0.2, false, 1],
    [0.2, true, 3],
    [0.5, true, 4],
    [3, false, 5],
  ])('price %s (above: %s) starts at %i', (price, above, index) => {
    expect(firstAtLeast(types, price, above)).toBe(index);
  });
});

describe('mayHold', () => {
  it.each([
    ['no price cap', Infinity, 100_000, 1_000_000, true],
    ['nothing that cheap', 0.05, 1, 1, false],
    ['the cheapest holds it', 0.1, 2000, 4096, true],
    ['CPU of one type and memory of another at the same price', 0.2, 8000, 65536, true],
    ['more CPU than any type up to the cap', 0.5, 9000, 1024, false],
    ['the dear large type, within the cap', 2.0, 9000, 100_000, true],
  ])('%s', (_what, maxPrice, cpu, mem, may) => {
    expect(mayHold(types, maxPrice, cpu, mem)).toBe(may);
  });
});
