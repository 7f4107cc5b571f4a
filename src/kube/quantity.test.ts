import { describe, expect, it } from 'vitest';
import { cpuMillis, formatMemory, memoryMiB, parseQuantity } from './quantity.js';

describe('quantities', () => {
  it.each([
    ['500m', 500],
    ['1', 1000],
    ['2.5', 2500],
    ['0.1', 100],
    ['100u', 1],
    [4, 4000],
    ['1e3', 1_000_000],
  ])('cpu %s → %i millicores', (q, m) => expect(cpuMillis(q)).toBe(m));

  it.each([
    ['768Mi', 768],
    ['1Gi', 1024],
    ['1G', 1e9 / 2 ** 20],
    ['128974848', 123],
    ['129M', 129e6 / 2 ** 20],
    ['1.5Gi', 1536],
  ])('memory %s → %f MiB', (q, m) => expect(memoryMiB(q)).toBeCloseTo(m, 6));

  it.each(['abc', '1.2.3', '10 Mi', '5Q', ''])('rejects %s', (q) => expect(parseQuantity(q)).toBeUndefined());

  it('answers the same for a quantity seen before (parses are memoized), valid or not', () => {
    for (let i = 0; i < 3; i++) {
      expect(memoryMiB('768Mi')).toBe(768);
      expect(parseQuantity('5Q')).toBeUndefined();
      expect(parseQuantity(' 1Gi ')).toBe(2 ** 30);
    }
  });

  it('stays right past the memo bound', () => {
    for (let i = 0; i < 5000; i++) expect(parseQuantity(`${i}Mi`)).toBe(i * 2 ** 20);
    expect(cpuMillis('250m')).toBe(250);
  });

  it('formats memory exactly for compiled limits', () => {
    expect(formatMemory(1152)).toBe('1152Mi');
    expect(formatMemory(8192)).toBe('8Gi');
  });
});
