import { describe, expect, it } from 'vitest';
import { allows, intersect, requirement, satisfiable, Requirements } from './requirements.js';

const r = (operator: string, values?: string[]) => requirement({ key: 'k', operator, values });

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
  ])('intersection %# satisfiable: %s', (a, b, want) => {
    expect(satisfiable(intersect(a, b))).toBe(want);
    expect(satisfiable(intersect(b, a))).toBe(want);
  });

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
