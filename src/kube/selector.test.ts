import { describe, expect, it } from 'vitest';
import { cloneSelector, selectorMatches } from './selector.js';

const labels = { app: 'web', tier: 'front' };

describe('label selectors', () => {
  it.each([
    [undefined, false],
    [null, false],
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'api' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, false],
  ])('%j matches: %s', (sel, want) => expect(selectorMatches(sel, labels)).toBe(want));

  it.each([
    [{}],
    [{ matchLabels: { app: 'web' } }],
    [
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['front'] },
          { key: 'x', operator: 'Exists' },
        ],
      },
    ],
  ])('clones %j deeply', (sel) => {
    const copy = cloneSelector(sel);
    expect(copy).toEqual(sel);
    if (copy.matchLabels) copy.matchLabels.app = 'changed';
    copy.matchExpressions?.[0]?.values?.push('changed');
    expect(JSON.stringify(sel)).not.toContain('changed');
  });
});
