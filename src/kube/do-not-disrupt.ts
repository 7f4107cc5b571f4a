/**
 * `karpenter.sh/do-not-disrupt` as Karpenter v1.12+ reads a pod's value (pkg/utils/pod/scheduling.go
 * parseDoNotDisrupt): "true", or a positive Go duration that protects the pod for that long after it
 * starts; anything else is read as no annotation. Shared by the admission rule and disruption.
 */
import { parseGoDuration } from '../util/go-duration.js';

export const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';

/** A do-not-disrupt value as a grace period in ms: a positive Go duration; undefined otherwise. */
export function doNotDisruptDuration(value: string): number | undefined {
  if (value === 'true' || value === 'Never') return undefined;
  const ms = parseGoDuration(value);
  return ms !== undefined && ms > 0 && Number.isFinite(ms) ? ms : undefined;
}
