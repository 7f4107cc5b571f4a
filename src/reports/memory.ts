/**
 * In-memory stand-ins for the scan's edges (as the simulated cloud is for EC2): a source of objects
 * whose changes are told to listeners, and a report store that counts its writes. Tests and the
 * benchmark drive the ReportController with them.
 */
import type { ChangeVerb } from '../kube/informers.js';
import type { KubeObject } from '../kube/objects.js';
import type { ReportStore, ScanSource } from './ports.js';
import type { PolicyReport } from './policy-report.js';

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class MemorySource implements ScanSource {
  synced = true;
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners: ((obj: KubeObject, verb: ChangeVerb) => void)[] = [];

  constructor(
    readonly kind: string,
    objects: readonly KubeObject[] = [],
  ) {
    for (const o of objects) this.objects.set(keyOf(o), o);
  }

  list(namespace?: string): readonly KubeObject[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata?.namespace ?? '') === namespace);
  }

  /** Adds or replaces an object and tells the listeners. */
  put(o: KubeObject): void {
    const verb = this.objects.has(keyOf(o)) ? 'update' : 'add';
    this.objects.set(keyOf(o), o);
    for (const l of this.listeners) l(o, verb);
  }

  remove(o: KubeObject): void {
    this.objects.delete(keyOf(o));
    for (const l of this.listeners) l(o, 'delete');
  }

  onChange(l: (obj: KubeObject, verb: ChangeVerb) => void): () => void {
    this.listeners.push(l);
    return () => {
      this.listeners.splice(this.listeners.indexOf(l), 1);
    };
  }
}

const docKey = (r: PolicyReport) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;

export class MemoryReportStore implements ReportStore {
  readonly docs = new Map<string, PolicyReport>();
  writes = 0;
  /** Set to make the next writes fail, as an API server that refuses them. */
  failing: Error | undefined;

  list(): Promise<PolicyReport[]> {
    return Promise.resolve([...this.docs.values()]);
  }

  apply(report: PolicyReport): Promise<void> {
    if (this.failing) return Promise.reject(this.failing);
    this.writes += 1;
    this.docs.set(docKey(report), structuredClone(report));
    return Promise.resolve();
  }

  remove(report: PolicyReport): Promise<void> {
    if (this.failing) return Promise.reject(this.failing);
    this.writes += 1;
    this.docs.delete(docKey(report));
    return Promise.resolve();
  }
}
