/**
 * What `npm run bench:chaos` holds Berth to after each fault, read from the cluster (never from
 * Berth): the NodeClaims through a watch (every providerID a claim was ever given: two means its
 * instance was launched twice), and, with the pods and Nodes bench:cluster's observer keeps, the
 * counts that must be 0 — pods gated past the 5-minute bound, claims without a Node and Nodes without
 * a claim (a leak), Nodes held by a finalizer, and pods not Running once the cluster settled.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { MAX_GATED_MS } from '../../src/provisioner/controller/gates.js';
import { listAndWatch, type ClusterObserver } from '../cluster/observe.js';

interface ClaimObject {
  metadata?: { name?: string; deletionTimestamp?: unknown; creationTimestamp?: string };
  status?: { providerID?: string };
}

export interface ClaimRecord {
  created: number;
  /** Every providerID the claim's status held, in order. */
  providerIds: string[];
  deleting?: number;
  gone?: number;
}

/** A Node or claim deleting this long is held by its finalizer, not on its way out. */
export const STUCK_MS = 120_000;

export interface Counts {
  /** Pods Berth's gate held longer than its 5-minute bound. */
  gatedOver5m: number;
  /** Pods not Running once the cluster settled (or at the step's timeout). */
  pending: number;
  /** NodeClaims with no Node (by providerID) and Nodes with no claim: capacity leaked. */
  claimsWithoutNode: number;
  nodesWithoutClaim: number;
  /** Claims whose instance was launched twice (two providerIDs over their life). */
  doubleLaunches: number;
  /** Nodes or claims deleting for over STUCK_MS: a finalizer never released. */
  stuck: number;
}

export class ClaimLedger {
  readonly claims = new Map<string, ClaimRecord>();
  private readonly aborts: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly kc: KubeConfig) {}

  async start(): Promise<void> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    const relist = async () => {
      const list = (await api.listClusterCustomObject({
        group: 'karpenter.sh',
        version: 'v1',
        plural: 'nodeclaims',
      })) as { items: ClaimObject[]; metadata?: { resourceVersion?: string } };
      const present = new Set<string>();
      for (const c of list.items) {
        this.seen('ADDED', c);
        present.add(c.metadata?.name ?? '');
      }
      for (const [name, r] of this.claims) if (!present.has(name)) r.gone ??= Date.now();
      return list.metadata?.resourceVersion;
    };
    await listAndWatch(
      this.kc,
      '/apis/karpenter.sh/v1/nodeclaims',
      relist,
      (type, o) => {
        this.seen(type, o as ClaimObject);
      },
      { stopped: () => this.stopped, aborts: this.aborts },
    );
  }

  private seen(type: string, o: ClaimObject): void {
    const name = o.metadata?.name;
    if (!name) return;
    const now = Date.now();
    let r = this.claims.get(name);
    if (!r || r.gone !== undefined) {
      // A claim of the same name made again is a new claim.
      r = { created: Date.parse(o.metadata?.creationTimestamp ?? '') || now, providerIds: [] };
      this.claims.set(name, r);
    }
    const pid = o.status?.providerID;
    if (pid !== undefined && r.providerIds.at(-1) !== pid) r.providerIds.push(pid);
    if (o.metadata?.deletionTimestamp !== undefined) r.deleting ??= now;
    if (type === 'DELETED') r.gone ??= now;
  }

  live(): [string, ClaimRecord][] {
    return [...this.claims.entries()].filter(([, r]) => r.gone === undefined);
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a();
  }
}

/**
 * The counts at `now`, over pods created since `since` (gates, pending) and every claim and Node
 * (leaks, finalizers; claims younger than `graceMs` are still launching and not counted).
 */
export function counts(
  o: ClusterObserver,
  ledger: ClaimLedger,
  at: { now: number; since: number; graceMs: number },
): Counts {
  const pods = [...o.pods.values()].filter((p) => p.seen >= at.since);
  const gatedOver5m = pods.filter(
    (p) => p.gated !== undefined && (p.gated.lifted ?? p.gone ?? at.now) - p.gated.since > MAX_GATED_MS,
  ).length;
  const pending = o.live().filter((p) => p.running === undefined).length;
  const nodes = o.liveNodes();
  const nodeIds = new Set(nodes.flatMap(([, n]) => (n.providerId === undefined ? [] : [n.providerId])));
  const claims = ledger.live();
  const claimIds = new Set(claims.flatMap(([, c]) => c.providerIds.slice(-1)));
  const claimsWithoutNode = claims.filter(
    ([, c]) =>
      c.deleting === undefined &&
      at.now - c.created > at.graceMs &&
      !nodeIds.has(c.providerIds.at(-1) ?? '(none)'),
  ).length;
  const nodesWithoutClaim = nodes.filter(
    ([, n]) => n.deleting === undefined && n.providerId !== undefined && !claimIds.has(n.providerId),
  ).length;
  const doubleLaunches = [...ledger.claims.values()].filter((c) => c.providerIds.length > 1).length;
  const stuck =
    nodes.filter(([, n]) => n.deleting !== undefined && at.now - n.deleting > STUCK_MS).length +
    claims.filter(([, c]) => c.deleting !== undefined && at.now - c.deleting > STUCK_MS).length;
  return { gatedOver5m, pending, claimsWithoutNode, nodesWithoutClaim, doubleLaunches, stuck };
}

/** The counts that must be 0 (with the PDB samples below their minimum): those that are not, named. */
export function nonZero(c: Counts & { pdbViolations: number }): string[] {
  const must: Record<string, number> = {
    'PDB below its minimum': c.pdbViolations,
    'gated over 5 minutes': c.gatedOver5m,
    'pods not Running': c.pending,
    'NodeClaims without a Node': c.claimsWithoutNode,
    'Nodes without a NodeClaim': c.nodesWithoutClaim,
    'claims launched twice': c.doubleLaunches,
    'finalizers stuck': c.stuck,
  };
  return Object.entries(must).flatMap(([k, v]) => (v === 0 ? [] : [`${k}: ${String(v)}`]));
}
