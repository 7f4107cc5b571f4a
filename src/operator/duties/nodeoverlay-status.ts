/**
 * Each NodeOverlay's ValidationSucceeded condition, as Karpenter's NodeOverlay controller sets it
 * (True; False with reason RuntimeValidation or Conflict and why), written where it changed. Part of
 * the nodeclaims duty (mode berth: beside Karpenter, its controller writes them).
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { OverlayResolution } from '../../scheduling/node-overlay.js';
import type { NodeClaimsWiring } from './nodeclaims.js';

/** The condition of each overlay the resolution names (applied or refused). */
export function overlayConditions(
  r: OverlayResolution,
): Map<string, { type: string; status: 'True' | 'False'; reason: string; message: string }> {
  const out = new Map<string, { type: string; status: 'True' | 'False'; reason: string; message: string }>();
  for (const name of r.applied)
    out.set(name, {
      type: 'ValidationSucceeded',
      status: 'True',
      reason: 'ValidationSucceeded',
      message: '',
    });
  for (const [name, why] of r.rejected)
    out.set(name, { type: 'ValidationSucceeded', status: 'False', reason: why.reason, message: why.message });
  return out;
}

export class NodeOverlayStatusWriter {
  private readonly written = new Map<string, string>();

  constructor(private readonly w: Pick<NodeClaimsWiring, 'view' | 'custom' | 'logger'>) {}

  /** A new leader writes every status again. */
  forget(): void {
    this.written.clear();
  }

  async round(): Promise<void> {
    const conditions = overlayConditions(this.w.view.overlayResolution());
    for (const [name, condition] of conditions) {
      const key = JSON.stringify(condition);
      if (this.written.get(name) === key) continue;
      const body = {
        status: { conditions: [{ ...condition, lastTransitionTime: new Date().toISOString() }] },
      };
      try {
        await this.w.custom.patchClusterCustomObjectStatus(
          { group: 'karpenter.sh', version: 'v1alpha1', plural: 'nodeoverlays', name, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        this.written.set(name, key);
      } catch (e) {
        this.w.logger.warn({ nodeOverlay: name, err: String(e) }, 'NodeOverlay status not written');
      }
    }
  }
}
