/**
 * The disruption methods, in Karpenter's current order — emptiness, drift, multi-node, then
 * single-node consolidation — each finding at most one decision per round (expiration, forceful, and
 * a static pool's scale-down first). Pods on their way keep their room (waiting.ts), and one that
 * fits nowhere blocks nothing (#457). The folder reads top-down from here: the methods
 * (first-methods.ts, underutilized.ts), their rules, and the decision types below them (decision.ts).
 */
import type { Seek } from './decision.js';
import { firstDecision } from './first-methods.js';
import { consolidationDecision } from './underutilized.js';

/**
 * The one decision a round makes, methods in order: expiration (forceful), then Karpenter's current
 * order — emptiness, drift, multi-node, single-node. The offline plan asks this; the cluster's
 * controller asks the same two halves, in slices (slices.ts).
 */
export const nextDecision: Seek = (w, c, pdbs, o, refusals) =>
  firstDecision(w, c, pdbs, o) ?? consolidationDecision(w, c, pdbs, o, refusals);
