/**
 * The webhook's admissions on their way to the feed, off the review's path: an admitted workload is
 * only noted (its latest object per workload) while reviews are answered, and recorded in the feed
 * once per event-loop turn, after the answers are written. Under load a turn answers many reviews,
 * often of one workload (a rollout, an apply retried): the feed compares each workload with what it
 * holds once per turn, not once per review, and a round is asked for only when something is news.
 */
import type { KubeObject } from '../../kube/objects.js';
import { keyOf, type AdmissionFeed } from './demand.js';

export interface AdmittedDeps {
  feed: AdmissionFeed;
  /** Something new to plan: a round now. */
  trigger: () => void;
  now: () => number;
  /** When the turn's admissions are recorded (default: setImmediate, after this turn's I/O). */
  defer?: (run: () => void) => void;
}

export class AdmittedQueue {
  private pending = new Map<string, KubeObject>();
  private scheduled = false;
  private readonly defer: (run: () => void) => void;
  private readonly run = (): void => {
    this.flush();
  };

  constructor(private readonly d: AdmittedDeps) {
    this.defer = d.defer ?? ((run) => setImmediate(run));
  }

  add(object: KubeObject): void {
    this.pending.set(keyOf(object), object);
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(this.run);
  }

  /** A workload deleted: dropped from what is pending and from the feed. */
  forget(object: KubeObject): void {
    this.pending.delete(keyOf(object));
    this.d.feed.forget(object);
  }

  /** Records what is pending now; asks for a round if any of it is news. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const objects = this.pending;
    this.pending = new Map();
    const at = this.d.now();
    let news = false;
    for (const o of objects.values()) if (this.d.feed.record(o, at)) news = true;
    if (news) this.d.trigger();
  }
}
