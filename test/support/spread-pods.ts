/**
 * Pods with a zone spread over `app=web` and the nodes they go to, as the gates' spread layers and the
 * provisioner's spread trim see them (namespace perf, 1 CPU / 1 GiB each).
 */
import { LABEL } from '../../src/catalog/instance-type.js';
import { solverPod } from '../../src/provisioner/input/pods.js';
import type { BoundPod, ExistingNode, SolverPod } from '../../src/provisioner/solver/model.js';
import { res } from '../../src/provisioner/solver/resources.js';

export interface SpreadPodOptions {
  /** Its `app` label (web: the spread's own selector). */
  readonly app?: string;
  /** The zones its required node affinity allows (any when unset). */
  readonly zones?: readonly string[];
  /** ScheduleAnyway rather than DoNotSchedule. */
  readonly soft?: boolean;
  readonly maxSkew?: number;
}

/** A waiting pod perf/`name` with a zone spread over app=web. */
export const spreadPod = (name: string, o: SpreadPodOptions = {}): SolverPod =>
  solverPod(`perf/${name}`, 'perf', {
    metadata: { labels: { app: o.app ?? 'web' } },
    spec: {
      containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
      topologySpreadConstraints: [
        {
          maxSkew: o.maxSkew ?? 1,
          topologyKey: LABEL.zone,
          whenUnsatisfiable: o.soft ? 'ScheduleAnyway' : 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
      ...(o.zones
        ? {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: LABEL.zone, operator: 'In', values: [...o.zones] }] },
                  ],
                },
              },
            },
          }
        : {}),
    },
  });

/** A pod perf/`name` bound to a node, labelled app=`app`. */
export const boundPod = (name: string, app = 'web'): BoundPod => ({
  id: `perf/${name}`,
  namespace: 'perf',
  labels: { app },
  requests: res(1, 1024, 1),
});

/** A node in `zone` (its hostname its name), with room for 16 such pods, running `pods`. */
export const zonedNode = (
  name: string,
  zone: string,
  pods: BoundPod[] = [],
  inFlight = false,
): ExistingNode => ({
  name,
  labels: { [LABEL.zone]: zone, [LABEL.hostname]: name },
  taints: [],
  allocatable: res(16, 64_000, 110),
  pods,
  inFlight,
});
