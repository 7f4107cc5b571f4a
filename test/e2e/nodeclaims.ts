/** The NodeClaim scenarios' probes: claims and NodePool status as kubectl reads them, and a kubelet's part for pods. */
import type { kubectlWith } from './harness.js';

type Kubectl = ReturnType<typeof kubectlWith>;

export interface ClaimItem {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  status?: {
    nodeName?: string;
    providerID?: string;
    capacity?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[];
  };
}

function items<T>(kubectl: Kubectl, args: readonly string[]): T[] {
  const r = kubectl(['get', ...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout || '{"items":[]}') as { items: T[] }).items;
}

export const nodeClaims = (kubectl: Kubectl): ClaimItem[] => items<ClaimItem>(kubectl, ['nodeclaims']);

export function nodePoolStatus(
  kubectl: Kubectl,
): { name: string; nodes: number; cpu?: string; ready?: string }[] {
  return items<{
    metadata: { name: string };
    status?: {
      nodes?: number;
      resources?: { cpu?: string };
      conditions?: { type: string; status: string }[];
    };
  }>(kubectl, ['nodepools']).map((p) => ({
    name: p.metadata.name,
    nodes: p.status?.nodes ?? -1,
    ...(p.status?.resources?.cpu !== undefined ? { cpu: p.status.resources.cpu } : {}),
    ...(p.status?.conditions
      ? { ready: p.status.conditions.find((c) => c.type === 'Ready')?.status ?? '' }
      : {}),
  }));
}

interface PodItem {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const appPods = (kubectl: Kubectl, ns: string, app: string) =>
  items<PodItem>(kubectl, ['pods', '-n', ns, '-l', `app=${app}`]).filter(
    (p) => p.metadata.deletionTimestamp === undefined,
  );

/** What a kubelet would do for bound pods of `app`: Running and Ready (PDBs count only those). */
export function markReady(kubectl: Kubectl, ns: string, app: string): void {
  for (const p of appPods(kubectl, ns, app))
    if (p.spec.nodeName !== undefined && p.status?.phase !== 'Running')
      kubectl([
        'patch',
        'pod',
        p.metadata.name,
        '-n',
        ns,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }),
      ]);
}

/** The `n` pods of `app` when all are bound and Ready. */
export function readyPods(
  kubectl: Kubectl,
  ns: string,
  app: string,
  n: number,
): { name: string; nodeName: string }[] | undefined {
  const pods = appPods(kubectl, ns, app);
  const ready = pods.filter(
    (p) =>
      p.spec.nodeName !== undefined &&
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  return pods.length === n && ready.length === n
    ? ready.map((p) => ({ name: p.metadata.name, nodeName: p.spec.nodeName ?? '' }))
    : undefined;
}
