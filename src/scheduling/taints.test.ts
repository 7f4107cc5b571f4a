import { describe, expect, it } from 'vitest';
import { tolerates, untoleratedTaint } from './taints.js';

const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('tolerations', () => {
  it.each([
    [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
    [{ key: 'dedicated', value: 'gpu' }, true],
    [{ key: 'dedicated', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }, false],
    [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
  ])('%j tolerates: %s', (t, want) => expect(tolerates(t, taint)).toBe(want));

  it('PreferNoSchedule never blocks', () => {
    expect(untoleratedTaint([{ key: 'a', effect: 'PreferNoSchedule' }], [])).toBeUndefined();
    expect(untoleratedTaint([taint], [])).toEqual(taint);
  });
});
