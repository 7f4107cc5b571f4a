import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { resolveOverlays, type NodeOverlay } from '../../scheduling/node-overlay.js';
import { overlayConditions } from './nodeoverlay-status.js';

const overlay = (name: string, spec: NodeOverlay['spec']): NodeOverlay => ({ metadata: { name }, spec });
const m5 = { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] };

// Karpenter v1.14.1 nodeoverlay controller updateOverlayStatuses: ValidationSucceeded True, or False
// with RuntimeValidation (its error) or Conflict ("conflict with another overlay").
describe('overlayConditions (NodeOverlay controller updateOverlayStatuses)', () => {
  it('says which overlays apply and why the others do not', () => {
    const r = resolveOverlays(
      [
        overlay('a', { weight: 2, requirements: [m5], price: '0.1' }),
        overlay('b', { weight: 2, requirements: [m5], price: '0.2' }),
        overlay('c', { capacity: { pods: '10' } }),
      ],
      [{ name: 'general', labels: {} }],
      builtinCatalog(),
    );
    const c = overlayConditions(r);
    expect(c.get('b')).toMatchObject({ type: 'ValidationSucceeded', status: 'True' });
    expect(c.get('a')).toMatchObject({
      status: 'False',
      reason: 'Conflict',
      message: 'conflict with another overlay',
    });
    expect(c.get('c')).toMatchObject({
      status: 'False',
      reason: 'RuntimeValidation',
      message: 'invalid resource restricted',
    });
  });
});
