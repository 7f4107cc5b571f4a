import { describe, expect, it } from 'vitest';
import {
  allows,
  describeRequirement,
  intersect,
  requirement,
  satisfiable,
  Requirements,
} from './requirements.js';

const r = (operator: string, values?: string[]) => requirement({ key: 'k', operator, values });

// Karpenter v1.14.1 pkg/scheduling/requirement.go: NewRequirementWithFlexibility (Gt N is Gte N+1, Lt N
// is Lte N-1, Gte/Lte inclusive), Has / withinBounds (a bound admits integers only, as strconv.Atoi
// reads them) and Intersection (an empty range matches nothing).
describe('requirement algebra', () => {
  it.each([
    ['In', ['a', 'b'], 'a', true],
    ['In', ['a', 'b'], 'c', false],
    ['In', ['a'], undefined, false],
    ['NotIn', ['a'], 'a', false],
    ['NotIn', ['a'], 'b', true],
    ['NotIn', ['a'], undefined, true],
    ['Exists', undefined, 'x', true],
    ['Exists', undefined, undefined, false],
    ['DoesNotExist', undefined, 'x', false],
    ['DoesNotExist', undefined, undefined, true],
    ['Gt', ['4'], '5', true],
    ['Gt', ['4'], '4', false],
    ['Gt', ['4'], 'x', false],
    ['Lt', ['4'], '3', true],
    ['Lt', ['4'], undefined, false],
    ['Lt', ['4'], '4', false],
    ['Gte', ['4'], '4', true],
    ['Gte', ['4'], '3', false],
    ['Gte', ['4'], '16', true],
    ['Gte', ['4'], 'x', false],
    ['Gte', ['4'], '4.5', false],
    ['Gte', ['4'], undefined, false],
    ['Lte', ['4'], '4', true],
    ['Lte', ['4'], '5', false],
    ['Lte', ['4'], '0', true],
    ['Lte', ['4'], undefined, false],
    ['Bogus', ['4'], '4', false],
  ])('%s %j allows %s: %s', (op, values, value, want) => expect(allows(r(op, values), value)).toBe(want));

  it.each([
    [r('In', ['a', 'b']), r('In', ['b', 'c']), true],
    [r('In', ['a']), r('In', ['b']), false],
    [r('In', ['a']), r('NotIn', ['a']), false],
    [r('NotIn', ['a']), r('NotIn', ['b']), true],
    [r('Exists'), r('DoesNotExist'), false],
    [r('NotIn', ['a']), r('DoesNotExist'), true],
    [r('Gt', ['4']), r('Lt', ['6']), true],
    [r('Gt', ['4']), r('Lt', ['5']), false],
    [r('Gt', ['4']), r('In', ['3', '8']), true],
    [r('Gt', ['8']), r('In', ['3', '8']), false],
    [r('Gte', ['4']), r('Lte', ['4']), true],
    [r('Gte', ['5']), r('Lte', ['4']), false],
    [r('Gt', ['4']), r('Lte', ['5']), true],
    [r('Gte', ['4']), r('Lt', ['4']), false],
    [r('Gte', ['8']), r('In', ['3', '8']), true],
    [r('Lte', ['3']), r('In', ['3', '8']), true],
    [r('Lte', ['2']), r('In', ['3', '8']), false],
    [r('Gte', ['4']), r('NotIn', ['4', '5']), true],
    [r('Gte', ['4']), r('Exists'), true],
    [r('Gte', ['4']), r('DoesNotExist'), false],
  ])('intersection %# satisfiable: %s', (a, b, want) => {
    expect(satisfiable(intersect(a, b))).toBe(want);
    expect(satisfiable(intersect(b, a))).toBe(want);
  });

  it('an In set keeps only the values within the bounds (Intersection drops the rest)', () => {
    const both = intersect(r('Gte', ['4']), r('In', ['2', '4', '8', 'x']));
    expect([...both.values].sort()).toEqual(['4', '8']);
  });

  it.each([
    ['Gt', ['4'], 'k >= 5'],
    ['Gte', ['4'], 'k >= 4'],
    ['Lt', ['4'], 'k <= 3'],
    ['Lte', ['4'], 'k <= 4'],
  ])('%s %j reads as %s (Karpenter keeps inclusive bounds)', (op, values, text) =>
    expect(describeRequirement(r(op, values))).toBe(text),
  );

  it('conjunction matches node labels', () => {
    const reqs = Requirements.of([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
      { key: 'gen', operator: 'Gt', values: ['5'] },
    ]);
    expect(reqs.matchesLabels({ 'kubernetes.io/arch': 'amd64', gen: '6' })).toBe(true);
    expect(reqs.matchesLabels({ 'kubernetes.io/arch': 'arm64', gen: '6' })).toBe(false);
    expect(reqs.matchesLabels({ 'kubernetes.io/arch': 'amd64' })).toBe(false);
  });
});
