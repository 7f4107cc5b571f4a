/**
 * Demand the leader sees in its own caches: a workload created, or its spec changed (a scale, a new
 * template), whichever replica admitted it. The Lease holder plans it as fast as one it admitted
 * itself, and never twice: the feed keeps one entry per workload and counts replicas against live
 * pods. Status-only updates (same generation) are not demand, and what the caches held before the
 * leader started watching is not news.
 */
import type { ChangeVerb } from '../../kube/informers.js';
import type { KubeObject } from '../../kube/objects.js';

const WATCHED: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'ReplicationController']);

export type WatchedChange = { readonly record: KubeObject } | { readonly forget: KubeObject } | undefined;

function keyOf(obj: KubeObject): string {
  return (
    obj.metadata?.uid ?? `${obj.kind ?? ''}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`
  );
}

export class WorkloadWatch {
  /** The generation last seen, per workload. */
  private readonly seen = new Map<string, number>();

  /** `existing`: what the caches hold when watching begins (seen, not demand). */
  constructor(existing: Iterable<KubeObject>) {
    for (const o of existing) this.seen.set(keyOf(o), o.metadata?.generation ?? 0);
  }

  /** What a cache change means for the feed: a workload to plan, one to forget, or nothing. */
  change(obj: KubeObject, verb: ChangeVerb): WatchedChange {
    if (!WATCHED.has(obj.kind ?? '')) return undefined;
    const key = keyOf(obj);
    if (verb === 'delete') {
      this.seen.delete(key);
      return { forget: obj };
    }
    const generation = obj.metadata?.generation ?? 0;
    const before = this.seen.get(key);
    this.seen.set(key, Math.max(generation, before ?? 0));
    if (obj.metadata?.deletionTimestamp !== undefined) return { forget: obj };
    return before === undefined || generation > before ? { record: obj } : undefined;
  }
}
