/**
 * Kubernetes Events, sent after the fact from a small queue (never while a review is being
 * answered), with repeats of the same event within a minute folded away.
 */
import { randomBytes } from 'node:crypto';
import type { KubernetesObjectApi, CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface InvolvedObject {
  apiVersion?: string | undefined;
  kind: string;
  namespace: string;
  name: string;
  uid?: string | undefined;
}

export interface EventSpec {
  involved: InvolvedObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface EventSink {
  emit(e: EventSpec): void;
}

const FOLD_MS = 60_000;
const MAX_QUEUE = 1000;
const MAX_MESSAGE = 1024;

export class EventRecorder implements EventSink {
  private readonly queue: EventSpec[] = [];
  private readonly recent = new Map<string, number>();
  private draining = false;

  constructor(
    private readonly api: KubernetesObjectApi,
    private readonly identity: string,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  emit(e: EventSpec): void {
    const key = `${e.involved.kind}/${e.involved.namespace}/${e.involved.name}/${e.reason}/${e.message}`;
    const now = this.clock().getTime();
    const last = this.recent.get(key);
    if (last !== undefined && now - last < FOLD_MS) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) this.recent.clear();
    if (this.queue.length >= MAX_QUEUE) return;
    this.queue.push(e);
    if (!this.draining) void this.drain();
  }

  private body(e: EventSpec): CoreV1Event {
    const now = this.clock();
    const i = e.involved;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      // A cluster-scoped object's Events live in `default`, as the API server's own do.
      metadata: { name: `${i.name}.${randomBytes(8).toString('hex')}`, namespace: i.namespace || 'default' },
      involvedObject: {
        kind: i.kind,
        namespace: i.namespace,
        name: i.name,
        ...(i.apiVersion === undefined ? {} : { apiVersion: i.apiVersion }),
        ...(i.uid === undefined ? {} : { uid: i.uid }),
      },
      type: e.type,
      reason: e.reason,
      message: e.message.slice(0, MAX_MESSAGE),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: 'berth' },
      reportingComponent: 'berth.dev/berth',
      reportingInstance: this.identity,
    };
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const e = this.queue.shift();
      if (!e) break;
      try {
        await this.api.create(this.body(e));
      } catch (err) {
        this.logger.warn({ err: String(err), reason: e.reason }, 'could not record an event');
      }
    }
    this.draining = false;
  }
}
