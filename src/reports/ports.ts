/** The background scan's edges: the caches it judges, where it writes, and what it is given. */
import type { Logger } from 'pino';
import type { AdmissionContext } from '../admission/admit.js';
import type { ChangeVerb } from '../kube/informers.js';
import type { KubeObject } from '../kube/objects.js';
import type { Metrics } from '../observability/metrics.js';
import type { PolicyReport } from './policy-report.js';

/** A watch-fed cache of one kind the scan judges (objects listed with their kind). */
export interface ScanSource {
  readonly kind: string;
  readonly synced: boolean;
  list(namespace?: string): readonly KubeObject[];
  onChange(l: (obj: KubeObject, verb: ChangeVerb) => void): () => void;
}

/** Where reports are written (the API server; a map in tests and the benchmark). */
export interface ReportStore {
  /** Berth's reports as written now. */
  list(): Promise<PolicyReport[]>;
  /** Creates or replaces one document. */
  apply(report: PolicyReport): Promise<void>;
  remove(report: PolicyReport): Promise<void>;
}

type Subscribe = (l: () => void) => () => void;

export interface ReportDeps {
  readonly sources: readonly ScanSource[];
  /** Changes that may change any verdict: policies reloaded, NodePools changed. */
  readonly everything: readonly Subscribe[];
  /** Namespaces: new labels re-judge one; a deleted one's reports went with it. */
  readonly namespaces?: { onChange(l: (obj: KubeObject, verb: ChangeVerb) => void): () => void };
  readonly context: () => AdmissionContext;
  readonly store: ReportStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  readonly debounceMs?: number;
  readonly resyncMs?: number;
  /** After a failed write or an unsynced cache. */
  readonly retryMs?: number;
  readonly maxBytes?: number;
}
