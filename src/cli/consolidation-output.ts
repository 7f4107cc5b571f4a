/** `berth plan --consolidate`: the decisions, what keeps each remaining node, $/h before and after. */
import type { ConsolidationPlan } from '../provisioner/disruption/consolidation.js';
import { money, table } from './plan-output.js';
import { count } from '../util/canonical.js';

/** The `consolidation` member of the plan document (other tools read it). */
export function consolidationJson(p: ConsolidationPlan) {
  return {
    decisions: p.decisions,
    kept: p.kept,
    after: p.after,
  };
}

export function renderConsolidation(p: ConsolidationPlan): string {
  const out = [`CONSOLIDATION: ${p.before.nodes} Berth node(s) at ${money(p.before.pricePerHour)}/h`];
  if (p.decisions.length === 0) out.push('No node can be removed or replaced by cheaper capacity now.');
  p.decisions.forEach((d, i) => {
    const launch =
      d.launch.length === 0
        ? 'delete'
        : `replace with ${d.launch.map((l) => `${l.instanceType} ${l.capacityType} ${l.zone} (${count(l.pods.length, 'pod')}, ${money(l.pricePerHour)}/h)`).join(', ')}`;
    out.push(
      `${i + 1}. ${d.method}: ${d.remove.join(', ')} → ${launch}; ${money(d.pricePerHourBefore)}/h → ${money(d.pricePerHourAfter)}/h`,
      ...(d.balanced ?? []).map((b) => `   Balanced (NodePool ${b.nodePool}): ${b.message}`),
    );
  });
  if (p.kept.length > 0)
    out.push(
      '',
      `KEPT (${p.kept.length})`,
      ...table([['NODE', 'WHY'], ...p.kept.map((k) => [k.node, k.reason])]),
    );
  const saved = p.before.pricePerHour - p.after.pricePerHour;
  out.push(
    '',
    `After consolidation: ${p.after.nodes.length} node(s) at ${money(p.after.pricePerHour)}/h (saves ${money(saved)}/h); planned in ${Math.round(p.millis.total)} ms.`,
  );
  return `${out.join('\n')}\n`;
}
