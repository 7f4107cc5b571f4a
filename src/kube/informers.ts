/**
 * Watch-fed caches (client-node informers) with what the library leaves out: a synced flag for
 * /readyz, restart with backoff after a failed list or watch, JSON-shaped objects whatever path
 * they came by, and resources whose CRD is absent treated as empty (and re-checked) rather than fatal.
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { statusOf } from './client.js';
import { objectApi } from './object-api.js';

export interface ResourceSpec {
  apiVersion: string;
  kind: string;
  /** The collection path across namespaces, e.g. /apis/policy/v1/poddisruptionbudgets. */
  path: string;
  /** A CRD that may not be installed (NodePools without Karpenter): absent means empty. */
  optional?: boolean;
}

export type ChangeVerb = 'add' | 'update' | 'delete';
type Listener<T> = (obj: T, verb: ChangeVerb) => void;

function plain<T>(obj: T): T {
  // Typed models from the list path carry Dates and undefined-valued keys; the watch path is raw JSON.
  return JSON.parse(JSON.stringify(obj)) as T;
}

/**
 * What a cache keeps of an object: all but metadata.managedFields, which no reader of a cache uses
 * (admission reads it from the request) and which is the larger part of a busy Pod or Node, one
 * entry per writer (controller, scheduler, kubelet or kwok, Berth). Karpenter's caches drop it too.
 */
export function trimmed<T>(obj: T): T {
  const meta = (obj as { metadata?: { managedFields?: unknown } } | null)?.metadata;
  if (meta?.managedFields !== undefined) delete meta.managedFields;
  return obj;
}

/** The library's watch, each object trimmed before the cache stores it. */
class TrimmingWatch extends Watch {
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj, raw) => {
        callback(phase, trimmed(obj), raw);
      },
      done,
    );
  }
}

export class Resource<T extends KubernetesObject> {
  synced = false;
  detail: string | undefined;
  private readonly informer;
  private readonly listeners: Listener<T>[] = [];
  private stopped = false;
  private backoffMs = 500;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    kc: KubeConfig,
    readonly spec: ResourceSpec,
    private readonly logger: Logger,
  ) {
    const api = objectApi(kc);
    const list = async () => {
      try {
        const result = await api.list<T>(spec.apiVersion, spec.kind);
        result.items = result.items.map((o) => trimmed(plain(o)));
        this.synced = true;
        this.detail = undefined;
        this.backoffMs = 500;
        return result;
      } catch (e) {
        if (spec.optional === true && statusOf(e) === 404) {
          this.synced = true;
          this.detail = `${spec.kind} is not served by this cluster (CRD absent); treated as empty`;
        }
        throw e;
      }
    };
    this.informer = new ListWatch<T>(spec.path, new TrimmingWatch(kc), list, false);
    for (const verb of ['add', 'update', 'delete'] as const)
      this.informer.on(verb, (o) => {
        for (const l of this.listeners) l(o, verb);
      });
    this.informer.on('error', (err: unknown) => {
      this.restartLater(err);
    });
  }

  private restartLater(err: unknown): void {
    if (this.stopped) return;
    if (this.detail === undefined || this.spec.optional !== true)
      this.logger.warn({ resource: this.spec.kind, err: String(err) }, 'watch failed; restarting');
    const wait = this.detail !== undefined ? 30_000 : this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.timer = setTimeout(() => {
      void this.informer.start();
    }, wait);
  }

  /** Calls `l` on every change; returns what stops it. */
  onChange(l: Listener<T>): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /**
   * The objects of one namespace, or of all without one. `''` is the cluster-scoped objects (those
   * with no namespace), where client-node's cache would answer with every namespace.
   */
  list(namespace?: string): readonly T[] {
    if (namespace === '') return this.informer.list().filter((o) => !o.metadata?.namespace);
    return this.informer.list(namespace);
  }
}
