/** What every offline command needs: policies, NodePools and the catalog, from flags or the embedded defaults. */
import { readFileSync } from 'node:fs';
import { builtinCatalog, makeCatalog, parseFactsFile, type Catalog } from '../catalog/catalog.js';
import { defaultPolicies, loadPoliciesFile, type Policies } from '../policies/policies.js';
import type { EC2NodeClass, NodePool } from '../scheduling/nodepool.js';
import type { NodeOverlay } from '../scheduling/node-overlay.js';
import { poolZoneNames, samplesIn } from './zones-named.js';
import { packagePath } from '../util/package-root.js';
import { embeddedDefaults } from '../util/embedded.js';
import { loadObjects, type SourcedObject } from './objects.js';
import type { YamlError } from '../util/yaml-source.js';
import { BadInput } from './bad-input.js';
import { regionalCatalog, type RegionOptions } from './region.js';
import { runOffline, type OfflineResult } from '../policies/offline.js';
import { todayOf } from '../policies/engine.js';

export interface SessionOptions extends RegionOptions {
  policies?: string;
  nodepools?: string[];
  catalog?: string;
}

export interface Session {
  policies: Policies;
  nodePools: NodePool[];
  /** The EC2NodeClasses beside them: their kubelet and volumes shape the pools' instance types. */
  nodeClasses: EC2NodeClass[];
  /** The NodeOverlays beside them (karpenter.sh/v1alpha1): prices and extended resources of their types. */
  nodeOverlays: NodeOverlay[];
  catalog: Catalog;
  /** No --nodepools: the pools are Berth's embedded samples (berth-*), not the user's cluster's. */
  nodePoolsEmbedded?: boolean;
  /** The objects of --nodepools as read, with their file and line (none for the embedded samples). */
  nodePoolSources?: SourcedObject[];
}

export function defaultNodePoolsPath(): string {
  return packagePath('deploy', 'nodepools');
}

/**
 * The NodePools of the cluster the files describe: the session's, with the NodePools among the files
 * replacing those of the same name (as applying them would), the same pools `check` judges against.
 */
export function clusterPools(session: Session, objects: readonly { kind?: string }[]): NodePool[] {
  return replacedByName(session.nodePools, objects, 'NodePool');
}

/** The NodeOverlays likewise: the session's, those among the files replacing any of the same name. */
export function clusterOverlays(session: Session, objects: readonly { kind?: string }[]): NodeOverlay[] {
  return replacedByName(session.nodeOverlays, objects, 'NodeOverlay');
}

/** The EC2NodeClasses likewise: the session's, those among the files replacing any of the same name. */
export function clusterClasses(session: Session, objects: readonly { kind?: string }[]): EC2NodeClass[] {
  return replacedByName(session.nodeClasses, objects, 'EC2NodeClass');
}

function replacedByName<T extends { metadata: { name: string } }>(
  base: readonly T[],
  objects: readonly { kind?: string }[],
  kind: string,
): T[] {
  const byName = new Map(base.map((p) => [p.metadata.name, p]));
  for (const o of objects) {
    if (o.kind !== kind) continue;
    const named = o as unknown as T;
    byName.set(named.metadata.name, named);
  }
  return [...byName.values()];
}

/**
 * The NodePools and EC2NodeClasses in files or folders; without paths, the embedded ones. Unreadable
 * files are BadInput.
 */
export function nodePoolsFrom(paths: readonly string[] | undefined): {
  nodePools: NodePool[];
  nodeClasses: EC2NodeClass[];
  nodeOverlays: NodeOverlay[];
  sources: SourcedObject[];
} {
  const snapshot = paths === undefined ? embeddedDefaults() : undefined;
  if (snapshot)
    return {
      nodePools: snapshot.nodePools as NodePool[],
      nodeClasses: snapshot.nodeClasses as EC2NodeClass[],
      nodeOverlays: [],
      sources: [],
    };
  const pools = loadObjects(paths ?? [defaultNodePoolsPath()]);
  if (!pools.ok) throw new BadInput(pools.errors);
  const of = (kind: string) => pools.objects.filter((o) => o.object.kind === kind).map((o) => o.object);
  return {
    nodePools: of('NodePool') as unknown as NodePool[],
    nodeClasses: of('EC2NodeClass') as unknown as EC2NodeClass[],
    nodeOverlays: of('NodeOverlay') as unknown as NodeOverlay[],
    // Only given pools are the user's: the embedded samples are never reviewed.
    sources: paths === undefined ? [] : pools.objects,
  };
}

/**
 * Policies, pools and the catalog of a run. `seenZones`: zones the inputs name (a dump's Node labels),
 * which say the region when nothing else does.
 */
export function openSession(opts: SessionOptions, seenZones: readonly string[] = []): Session {
  let policies: Policies;
  if (opts.policies === undefined) policies = defaultPolicies();
  else {
    const loaded = loadPoliciesFile(opts.policies);
    if (!loaded.ok) throw new BadInput(loaded.errors);
    policies = loaded.policies;
  }
  const { nodePools, nodeClasses, nodeOverlays, sources } = nodePoolsFrom(opts.nodepools);
  let catalog = builtinCatalog();
  if (opts.catalog !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.catalog, 'utf8');
    } catch (e) {
      throw new BadInput([{ file: opts.catalog, line: 0, col: 0, message: (e as Error).message }]);
    }
    catalog = makeCatalog(parseFactsFile(text, opts.catalog));
  }
  const poolZones = opts.nodepools === undefined ? [] : poolZoneNames(nodePools);
  catalog = regionalCatalog(catalog, opts, policies, [...poolZones, ...seenZones]);
  return {
    policies,
    // The samples name us-east-1's zones; in another region they name that region's.
    nodePools: opts.nodepools === undefined ? samplesIn(nodePools, catalog) : nodePools,
    nodeClasses,
    nodeOverlays,
    catalog,
    nodePoolsEmbedded: opts.nodepools === undefined,
    nodePoolSources: sources,
  };
}

/** Kinds the NodePool review judges: --nodepools inputs are judged as -f ones are. */
const REVIEWED = new Set(['NodePool', 'EC2NodeClass', 'NodeClass']);

/** What the pools were judged against, when they are the embedded samples; said in rule messages. */
export const EMBEDDED_POOLS = "Berth's embedded sample NodePools (no --nodepools given)";

/** The rules whose findings depend on which NodePools there are. */
export const POOL_RULES: ReadonlySet<string> = new Set([
  'spread-unsatisfiable',
  'placement-unsatisfiable',
  'requests-exceed-capacity',
  'spot-unsuitable',
  'profile-runtime-class-unknown',
  'profile-zone-spread-impossible',
  'profile-requests-exceed-capacity',
]);

/**
 * The stderr notice for a run on the embedded sample pools: for a plan always (all of it rests on the
 * pools), for a check when a finding depends on them (`relevant`).
 */
export function embeddedPoolsNotice(session: Session, relevant = true): string {
  if (session.nodePoolsEmbedded !== true || !relevant) return '';
  const names = session.nodePools.map((p) => p.metadata.name).join(', ');
  return `berth: notice: no --nodepools given: placements are judged against Berth's embedded sample NodePools (${names}), not your cluster's; pass yours: kubectl get nodepools,ec2nodeclasses -o yaml > nodepools.yaml, then --nodepools nodepools.yaml\n`;
}

/** Loads the objects in `paths` and runs them through the offline pipeline; bad input throws BadInput. */
/** How the files of a run are read: --exclude globs, and whether no object at all is accepted. */
export interface FileOptions {
  exclude?: readonly string[];
  /**
   * The cluster's ValidatingAdmissionPolicies, bindings and params (files or folders): they judge the
   * objects as kube-apiserver would, without being judged themselves.
   */
  admissionPolicies?: readonly string[];
  /** Who the requests come from (request.userInfo), for native policies that read it. */
  as?: string;
  asGroup?: readonly string[];
  /** Zero objects is bad input (an empty `kustomize build` must not pass CI) unless this is set. */
  allowEmpty?: boolean;
}

/** The objects of the files, or BadInput; zero objects is bad input unless allowed. */
export function readObjects(
  paths: readonly string[],
  opts: FileOptions = {},
): { objects: SourcedObject[]; notices: YamlError[] } {
  const loaded = loadObjects(paths, opts.exclude ? { exclude: opts.exclude } : {});
  if (!loaded.ok) throw new BadInput(loaded.errors);
  if (loaded.objects.length === 0 && opts.allowEmpty !== true)
    throw new BadInput([
      {
        file: paths.map((p) => (p === '-' ? '<stdin>' : p)).join(', '),
        line: 0,
        col: 0,
        message: 'no Kubernetes objects in the input; pass --allow-empty if none is expected',
      },
    ]);
  return { objects: loaded.objects, notices: loaded.notices };
}

export function runFiles(
  opts: SessionOptions & FileOptions,
  paths: readonly string[],
  clock: () => Date,
  defaultNamespace?: string,
): { sources: SourcedObject[]; notices: YamlError[]; result: OfflineResult; session: Session } {
  const session = openSession(opts);
  const read = readObjects(paths, opts);
  // The pools and classes of --nodepools are reviewed as those of -f are (those -f names win).
  const keyOf = (o: SourcedObject) => `${o.object.kind ?? ''}/${o.object.metadata?.name ?? ''}`;
  const inFiles = new Set(read.objects.map(keyOf));
  const extra = (session.nodePoolSources ?? []).filter(
    (o) => REVIEWED.has(o.object.kind ?? '') && !inFiles.has(keyOf(o)),
  );
  const loaded = [...read.objects, ...extra];
  const objects = loaded.map((o) => o.object);
  const context = opts.admissionPolicies
    ? readObjects(opts.admissionPolicies, { allowEmpty: true }).objects.map((o) => o.object)
    : [];
  const userInfo =
    opts.as !== undefined || opts.asGroup !== undefined
      ? {
          ...(opts.as !== undefined ? { username: opts.as } : {}),
          ...(opts.asGroup ? { groups: [...opts.asGroup] } : {}),
        }
      : undefined;
  const result = runOffline({
    ...session,
    objects,
    ...(context.length > 0 ? { admissionContext: context } : {}),
    ...(userInfo ? { userInfo } : {}),
    today: todayOf(clock),
    ...(defaultNamespace === undefined ? {} : { defaultNamespace }),
    ...(session.nodePoolsEmbedded === true ? { poolsFrom: EMBEDDED_POOLS } : {}),
  });
  return { sources: loaded, notices: read.notices, result, session };
}

/** Notices (files skipped, duplicate keys) as the CLI prints them on stderr. */
export function noticeLines(notices: readonly YamlError[]): string {
  return notices.map((n) => `${n.file}:${n.line}:${n.col}: notice: ${n.message}\n`).join('');
}
