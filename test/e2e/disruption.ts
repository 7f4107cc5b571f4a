/**
 * The disruption scenarios' objects and probes: a NodePool of their own (one instance type, so that
 * each decision is predictable), Deployments pinned to it, and the Events and Nodes kubectl shows.
 */
import type { kubectlWith } from './harness.js';

type Kubectl = ReturnType<typeof kubectlWith>;

export const E2E_LABEL = 'berth.dev/e2e';

export interface PoolOptions {
  budgets: object[];
  expireAfter?: string;
  terminationGracePeriod?: string;
  consolidationPolicy?: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
  /** Label and taint the nodes (the simulated cloud registers both; the aws stand-in neither yet). */
  labelled?: boolean;
}

/** A NodePool of m5.large on-demand nodes; labelled ones carry `berth.dev/e2e: <name>` and its taint. */
export function e2ePool(name: string, o: PoolOptions): string {
  const labelled = o.labelled ?? true;
  return JSON.stringify({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      template: {
        metadata: labelled ? { labels: { [E2E_LABEL]: name } } : {},
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          ],
          ...(labelled ? { taints: [{ key: E2E_LABEL, value: name, effect: 'NoSchedule' }] } : {}),
          expireAfter: o.expireAfter ?? 'Never',
          ...(o.terminationGracePeriod !== undefined
            ? { terminationGracePeriod: o.terminationGracePeriod }
            : {}),
        },
      },
      disruption: {
        consolidationPolicy: o.consolidationPolicy ?? 'WhenEmptyOrUnderutilized',
        consolidateAfter: '0s',
        budgets: o.budgets,
      },
    },
  });
}

export interface PinnedOptions {
  pool: string;
  cpu: string;
  replicas?: number;
  doNotDisrupt?: boolean;
  /** terminationGracePeriodSeconds: 0 (the default here) deletes an evicted pod at once. */
  grace?: number;
  /** Select the pool by `karpenter.sh/nodepool` rather than its label and taint. */
  byPoolName?: boolean;
}

/** A Deployment whose pods run only on `pool`'s nodes. */
export function pinned(name: string, ns: string, o: PinnedOptions): string {
  const byName = o.byPoolName === true;
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          ...(o.doNotDisrupt === true ? { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } } : {}),
        },
        spec: {
          terminationGracePeriodSeconds: o.grace ?? 0,
          nodeSelector: byName ? { 'karpenter.sh/nodepool': o.pool } : { [E2E_LABEL]: o.pool },
          tolerations: byName
            ? []
            : [{ key: E2E_LABEL, operator: 'Equal', value: o.pool, effect: 'NoSchedule' }],
          containers: [
            {
              name: 'app',
              image: `registry.example.com/${name}:1.0.0`,
              resources: { requests: { cpu: o.cpu, memory: '256Mi' }, limits: { memory: '256Mi' } },
            },
          ],
        },
      },
    },
  });
}

/** The items of `kubectl get … -o json`. */
function items<T>(kubectl: Kubectl, args: readonly string[]): T[] {
  const r = kubectl(['get', ...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout || '{"items":[]}') as { items: T[] }).items;
}

export interface NodeEvent {
  node: string;
  message: string;
  time: string;
}

/**
 * Events Berth posted about Nodes (they live in `default`, Nodes having no namespace); not the copies
 * on their NodeClaims, which the simulated cloud names like their Nodes.
 */
export function nodeEvents(kubectl: Kubectl, reason: string): NodeEvent[] {
  return items<{
    message: string;
    involvedObject: { name: string };
    lastTimestamp?: string;
    eventTime?: string;
  }>(kubectl, [
    'events',
    '-n',
    'default',
    '--field-selector',
    `reason=${reason},involvedObject.kind=Node`,
  ]).map((e) => ({
    node: e.involvedObject.name,
    message: e.message,
    time: e.lastTimestamp ?? e.eventTime ?? '',
  }));
}

export interface PodDetail {
  name: string;
  uid: string;
  app: string;
  nodeName: string | undefined;
  created: number;
  /** When the scheduler bound it (PodScheduled=True), ms. */
  scheduled: number | undefined;
  deleting: boolean;
}

export function podDetails(kubectl: Kubectl, ns: string): PodDetail[] {
  return items<{
    metadata: {
      name: string;
      uid: string;
      labels?: Record<string, string>;
      creationTimestamp: string;
      deletionTimestamp?: string;
    };
    spec: { nodeName?: string };
    status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
  }>(kubectl, ['pods', '-n', ns]).map((p) => {
    const bound = p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
    return {
      name: p.metadata.name,
      uid: p.metadata.uid,
      app: p.metadata.labels?.app ?? '',
      nodeName: p.spec.nodeName,
      created: Date.parse(p.metadata.creationTimestamp),
      scheduled: bound?.lastTransitionTime === undefined ? undefined : Date.parse(bound.lastTransitionTime),
      deleting: p.metadata.deletionTimestamp !== undefined,
    };
  });
}

export interface NodeDetail {
  name: string;
  pool: string | undefined;
  created: number;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  taints: { key: string; effect: string }[];
  allocatablePods: number;
  providerID: string | undefined;
}

export function nodeDetails(kubectl: Kubectl): NodeDetail[] {
  return items<{
    metadata: {
      name: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      creationTimestamp: string;
    };
    spec: { providerID?: string; taints?: { key: string; effect: string }[] };
    status?: { allocatable?: { pods?: string } };
  }>(kubectl, ['nodes']).map((n) => ({
    name: n.metadata.name,
    pool: n.metadata.labels?.['karpenter.sh/nodepool'],
    created: Date.parse(n.metadata.creationTimestamp),
    annotations: n.metadata.annotations ?? {},
    labels: n.metadata.labels ?? {},
    taints: n.spec.taints ?? [],
    allocatablePods: Number(n.status?.allocatable?.pods ?? 'NaN'),
    providerID: n.spec.providerID,
  }));
}

/** Patches every NodePool but `except`. */
export function patchPools(kubectl: Kubectl, patch: object, except: readonly string[] = []): void {
  const r = kubectl(['get', 'nodepools', '-o', 'jsonpath={.items[*].metadata.name}']);
  if (r.code !== 0) throw new Error(r.stderr);
  for (const pool of r.stdout.split(' ').filter((p) => p !== '' && !except.includes(p)))
    patchPool(kubectl, pool, patch);
}

/** Every NodePool but `except` gets budgets: nodes 0, so that only the scenario's pools are disrupted. */
export function freezeOtherPools(kubectl: Kubectl, except: readonly string[]): void {
  patchPools(kubectl, { spec: { disruption: { budgets: [{ nodes: '0' }] } } }, except);
}

export function patchPool(kubectl: Kubectl, name: string, patch: object): void {
  const r = kubectl(['patch', 'nodepool', name, '--type', 'merge', '-p', JSON.stringify(patch)]);
  if (r.code !== 0) throw new Error(r.stderr);
}
