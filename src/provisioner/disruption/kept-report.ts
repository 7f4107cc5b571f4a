/**
 * What keeps each node, told once: an Event (DisruptionBlocked) and a log line when a node's reason is
 * new, and the kept-nodes gauge by category every round.
 */
import type { Logger } from 'pino';
import type { EventSink, InvolvedObject } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Kept } from './candidates.js';
import { categoryOf } from './kept.js';

export class KeptReport {
  /** The reason last told per node, with its running count of seconds taken out. */
  private readonly told = new Map<string, string>();

  constructor(
    private readonly h: {
      readonly logger: Logger;
      readonly events: EventSink;
      readonly metrics: Metrics;
      readonly involved: (node: string) => InvolvedObject;
    },
  ) {}

  report(kept: readonly Kept[]): void {
    const byCategory = new Map<string, number>();
    const now = new Set<string>();
    for (const k of kept) {
      now.add(k.node);
      const category = categoryOf(k.reason);
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      // One Event per reason: a wait that only counts on ("5s ago", "6s ago") is the same reason.
      const same = k.reason.replace(/\d+s ago/g, 'ago').replace(/in \d+s/g, 'in');
      if (this.told.get(k.node) === same) continue;
      this.told.set(k.node, same);
      this.h.logger.info({ node: k.node, reason: k.reason }, 'node kept');
      this.h.events.emit({
        involved: this.h.involved(k.node),
        type: 'Normal',
        reason: 'DisruptionBlocked',
        message: k.reason,
      });
    }
    // A node no longer kept (gone, or a candidate again) is told afresh if it is kept again.
    for (const node of this.told.keys()) if (!now.has(node)) this.told.delete(node);
    this.h.metrics.nodesKept.reset();
    for (const [reason, n] of byCategory) this.h.metrics.nodesKept.set({ reason }, n);
  }
}
