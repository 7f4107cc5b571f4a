import { describe, expect, it } from 'vitest';
import { renderAnswer, splitFix } from './answer.js';

describe('splitFix', () => {
  it.each([
    ['a reason alone', 'does not fit', { reason: 'does not fit' }],
    [
      'a trailing (fix: …) split off',
      'NodePool a is at its limits: cpu 4 (fix: raise spec.limits, or use another NodePool)',
      { reason: 'NodePool a is at its limits: cpu 4', fix: 'raise spec.limits, or use another NodePool' },
    ],
    [
      'parentheses that are no fix stay',
      'holds cpu 4 (after daemonsets)',
      { reason: 'holds cpu 4 (after daemonsets)' },
    ],
  ])('%s', (_, text, want) => {
    expect(splitFix(text)).toEqual(want);
  });
});

describe('renderAnswer', () => {
  it('says the state, the reason, the fix, every pool and the recent Events', () => {
    const text = renderAnswer(
      {
        kind: 'Pod',
        name: 'web-1',
        namespace: 'shop',
        state: 'Pending',
        blocker: 'provisioning',
        reason: 'no NodePool can launch a node for it: too big',
        fix: 'lower its requests',
        nodePools: [
          { nodePool: 'default', reason: 'too big', fix: 'lower its requests' },
          { nodePool: 'gpu', reason: 'taint' },
        ],
        facts: ['a fact'],
        events: [
          {
            object: 'Pod/web-1',
            type: 'Warning',
            reason: 'ProvisioningFailed',
            message: 'too big',
            count: 3,
            last: '2026-11-27T11:59:00.000Z',
          },
        ],
      },
      new Date('2026-11-27T12:00:00Z'),
    );
    expect(text).toBe(
      [
        'Pod shop/web-1: Pending — held by provisioning',
        '  why: no NodePool can launch a node for it: too big',
        '  fix: lower its requests',
        '',
        'NODEPOOLS (closest first)',
        '  default  too big',
        '           fix: lower its requests',
        '  gpu      taint',
        '',
        'FACTS',
        '  a fact',
        '',
        'EVENTS',
        '  60s ago  Warning ProvisioningFailed on Pod/web-1 (×3): too big',
        '',
      ].join('\n'),
    );
  });
});
