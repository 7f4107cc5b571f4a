/** Karpenter v1 NodePool / EC2NodeClass objects, as the engine and the solver read them. */
import { classVolumes, volumesPerHour } from './node-cost.js';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical.js';
import { LABEL, type Resources } from '../catalog/instance-type.js';
import { cpuMillis, formatCpu, formatMemory, memoryMiB, parseQuantity } from '../kube/quantity.js';
import { Requirements, requirement, type NodeSelectorRequirement } from './requirements.js';
import type { Taint } from './taints.js';
import { autoModeLabels, builtinPool, isAutoModeClass, type BuiltinPool } from './auto-mode.js';
import type { Vocabulary } from './vocabulary.js';
import { priceOfLabels, type Catalog } from '../catalog/catalog.js';
import { shapedCatalog, type NodeShape } from '../catalog/node-shape.js';
import { classShape } from './class-shape.js';
import type { PoolOverlay } from './node-overlay.js';
import { overlaidCatalog } from './node-overlay-catalog.js';
import { reservationsOf, reservedCatalog, type Reservation } from './reservations.js';

export interface NodePool {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    weight?: number;
    /** A static NodePool's node count (Karpenter v1.8). */
    replicas?: number;
    limits?: Record<string, string | number>;
    disruption?: { consolidationPolicy?: string; consolidateAfter?: string; budgets?: unknown[] };
    template: {
      metadata?: { labels?: Record<string, string> };
      spec: {
        nodeClassRef?: { group?: string; kind?: string; name: string };
        requirements?: (NodeSelectorRequirement & { minValues?: number })[];
        taints?: Taint[];
        startupTaints?: Taint[];
        expireAfter?: string;
        terminationGracePeriod?: string;
      };
    };
  };
}

export interface EC2NodeClass {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  /** As resolved (by Berth's class controller or Karpenter's): the zones and architectures it launches in. */
  status?: {
    subnets?: { id?: string; zone?: string }[];
    amis?: { id?: string; requirements?: NodeSelectorRequirement[] }[];
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    capacityReservations?: unknown[];
  };
}

function reservedOf(
  nodeClass: EC2NodeClass | undefined,
  autoMode: boolean,
): { reservations?: readonly Reservation[] } {
  const found = autoMode ? [] : reservationsOf(nodeClass?.status);
  return found.length > 0 ? { reservations: found } : {};
}

function imagesOf(nodeClass: EC2NodeClass | undefined): { images?: ReadonlySet<string> } {
  const ids = (nodeClass?.status?.amis ?? []).flatMap((a) => (a.id !== undefined ? [a.id] : []));
  return ids.length > 0 ? { images: new Set(ids) } : {};
}

/** False when the class's status says it does not resolve (its pools cannot launch); true otherwise. */
export function classLaunchable(nodeClass: EC2NodeClass | undefined): boolean {
  return nodeClass?.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'False';
}

/**
 * What a resolved class adds to its pools' requirements: the zones of its subnets and the
 * architectures of its AMIs (an unresolved class adds nothing).
 */
function classRequirements(nodeClass: EC2NodeClass | undefined): NodeSelectorRequirement[] {
  const out: NodeSelectorRequirement[] = [];
  const zones = [...new Set((nodeClass?.status?.subnets ?? []).flatMap((s) => (s.zone ? [s.zone] : [])))];
  if (zones.length > 0) out.push({ key: LABEL.zone, operator: 'In', values: zones.sort() });
  const arches = new Set(
    (nodeClass?.status?.amis ?? [])
      .flatMap((a) => a.requirements ?? [])
      .filter((r) => r.key === LABEL.arch && r.operator === 'In')
      .flatMap((r) => r.values ?? []),
  );
  if (arches.size > 0) out.push({ key: LABEL.arch, operator: 'In', values: [...arches].sort() });
  return out;
}

export const NODEPOOL_API_VERSION = 'karpenter.sh/v1';
export const EC2NODECLASS_API_VERSION = 'karpenter.k8s.aws/v1';

/**
 * What a NodePool that leaves a key open gets. Karpenter v1 defaults no requirement
 * (nodepool_defaults.go is empty): every capacity type and architecture with an offering is allowed,
 * and spot is preferred where cheaper. The OS is the image's: the families Berth boots are Linux.
 */
const DEFAULTS: readonly NodeSelectorRequirement[] = [{ key: LABEL.os, operator: 'In', values: ['linux'] }];

export interface PoolView {
  readonly pool: NodePool;
  readonly name: string;
  /** Requirements from spec.template.spec.requirements, template labels, the pool label and defaults. */
  readonly requirements: Requirements;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly weight: number;
  /** spec.limits in the catalog's units (a resource no instance type has is left out: it never binds). */
  readonly limits: PoolLimits;
  /** spec.replicas: a static NodePool (Karpenter v1.8) keeps this many nodes, whatever the pods need. */
  readonly replicas?: number;
  /** true for EKS Auto Mode NodeClasses (eks.amazonaws.com): understood, never provisioned by Berth. */
  readonly autoMode: boolean;
  /** The instance labels its nodes carry: `auto` for Auto Mode pools, else `karpenter`. */
  readonly vocabulary: Vocabulary;
  /** Auto Mode's built-in pool (general-purpose, system) this is, read as AWS defines it. */
  readonly builtin?: BuiltinPool;
  /** The images its EC2NodeClass resolves to now (its status): a node booted from another drifted. */
  readonly images?: ReadonlySet<string>;
  /** What its EC2NodeClass does to its nodes' resources (kubelet, volumes); absent without a class. */
  readonly shape?: NodeShape;
  /**
   * The EBS volumes' price per node-hour (node-cost.ts): its EC2NodeClass's blockDeviceMappings or
   * the AMI family's defaults; absent without a class (Karpenter's default volume is assumed).
   */
  readonly volumesPerHour?: number;
  /** What the NodeOverlays applied to it do to its types' prices and extended resources. */
  readonly overlay?: PoolOverlay;
  /** The capacity reservations its EC2NodeClass resolves (status.capacityReservations). */
  readonly reservations?: readonly Reservation[];
}

/**
 * The catalog as this pool's nodes see it (its class's max pods, reservations, ephemeral storage) and
 * at the prices its NodeOverlays set.
 */
export function poolCatalog(
  view: Pick<PoolView, 'shape' | 'overlay' | 'reservations'>,
  catalog: Catalog,
): Catalog {
  return overlaidCatalog(
    reservedCatalog(shapedCatalog(catalog, view.shape), view.reservations),
    view.overlay,
  );
}

/**
 * USD/h of a node by its labels at its NodePool's prices (its overlays'), or the catalog's when no
 * pool of its label is known; 0 for a type or offering the catalog does not price.
 */
export function poolPriceOfLabels(
  catalog: Catalog,
  pools: readonly Pick<PoolView, 'name' | 'shape' | 'overlay' | 'reservations'>[],
  labels: Readonly<Record<string, string>>,
): number {
  const name = labels[LABEL.nodePool];
  const pool = name === undefined ? undefined : pools.find((p) => p.name === name);
  return priceOfLabels(pool ? poolCatalog(pool, catalog) : catalog, labels);
}

/**
 * What a NodePool's `limits` bound, in the units of an instance type's capacity (Resources), plus
 * `nodes` (Karpenter v1.11). Karpenter counts every resource a node's capacity has against them
 * (pkg/controllers/provisioning/scheduling filterByRemainingResources; nodes: one per node).
 */
export type LimitKey = keyof Resources | 'nodes';
export type PoolLimits = Partial<Record<LimitKey, number>>;

/** Kubernetes resource names → the catalog's units. */
const LIMIT_RESOURCES: Readonly<
  Record<string, { key: LimitKey; read: (v: string | number) => number | undefined }>
> = {
  cpu: { key: 'cpuMillis', read: cpuMillis },
  memory: { key: 'memoryMiB', read: memoryMiB },
  'ephemeral-storage': { key: 'ephemeralMiB', read: memoryMiB },
  pods: { key: 'pods', read: parseQuantity },
  nodes: { key: 'nodes', read: parseQuantity },
  'nvidia.com/gpu': { key: 'nvidiaGpu', read: parseQuantity },
  'amd.com/gpu': { key: 'amdGpu', read: parseQuantity },
  'aws.amazon.com/neuron': { key: 'neuron', read: parseQuantity },
  'aws.amazon.com/neuroncore': { key: 'neuronCore', read: parseQuantity },
};

/** Every limit key, in the order messages name them. */
export const LIMIT_KEYS: readonly LimitKey[] = Object.values(LIMIT_RESOURCES).map((r) => r.key);

/** What one node of this type counts against a limit: its capacity, or 1 for `nodes`; 0 for no type. */
export function limitCount(type: { readonly capacity: Resources } | undefined, key: LimitKey): number {
  if (type === undefined) return 0;
  return key === 'nodes' ? 1 : type.capacity[key];
}

/** A limit's value as Kubernetes writes the quantity (cpu in cores or millicores, memory in Mi/Gi). */
export function formatLimit(key: LimitKey, n: number): string {
  if (key === 'cpuMillis') return formatCpu(n);
  if (key === 'memoryMiB' || key === 'ephemeralMiB') return formatMemory(Math.floor(n));
  return String(n);
}

/** The Kubernetes resource name of a limit key, for messages. */
export function limitResourceName(key: LimitKey): string {
  return Object.entries(LIMIT_RESOURCES).find(([, v]) => v.key === key)?.[0] ?? key;
}

/** A node's or claim's capacity (a Kubernetes ResourceList) in limit keys, plus one node. */
export function capacityUsage(capacity: Readonly<Record<string, string | number>>): PoolLimits {
  const out: PoolLimits = { nodes: 1 };
  for (const [name, value] of Object.entries(capacity)) {
    const known = LIMIT_RESOURCES[name];
    const n = known && known.key !== 'nodes' ? known.read(value) : undefined;
    if (known && n !== undefined) out[known.key] = n;
  }
  return out;
}

function limitsOf(pool: NodePool): PoolLimits {
  const limits: PoolLimits = {};
  for (const [name, value] of Object.entries(pool.spec.limits ?? {})) {
    const known = LIMIT_RESOURCES[name];
    const n = known?.read(value);
    if (known && n !== undefined) limits[known.key] = n;
  }
  return limits;
}

/** Requirements from the pool (or the built-in pool's definition), Karpenter's defaults and its labels. */
function requirementsOf(
  given: readonly NodeSelectorRequirement[],
  labels: Readonly<Record<string, string>>,
  autoMode: boolean,
): Requirements {
  const reqs = Requirements.of(given);
  for (const d of DEFAULTS) if (reqs.get(d.key) === undefined) reqs.add(requirement(d));
  // Auto Mode runs Linux only, whatever the pool says.
  if (autoMode) reqs.add(requirement({ key: LABEL.os, operator: 'In', values: ['linux'] }));
  return reqs.merge(Requirements.fromLabels(labels));
}

/** The label a Berth node carries with its NodePool's template hash: a node whose hash differs drifted. */
export const TEMPLATE_HASH_LABEL = 'berth.dev/nodepool-hash';
/** The label a Berth node carries with its EC2NodeClass's hash, when the class was known at launch. */
export const NODECLASS_HASH_LABEL = 'berth.dev/nodeclass-hash';
/** The label a node launched on AWS registers with (from its user data): the image it booted. */
export const IMAGE_LABEL = 'berth.dev/image';

/** Selector terms are resolved to ids and compared as such (AMI, subnet, security group drift), not hashed. */
const RESOLVED = new Set(['amiSelectorTerms', 'subnetSelectorTerms', 'securityGroupSelectorTerms']);

/**
 * The hash of what a node takes from its EC2NodeClass and keeps once launched — user data, block
 * devices, metadata options, role or instance profile, tags, … — as Karpenter's static NodeClass
 * drift; the selector terms are left out (their resolved ids drift on their own).
 */
export function nodeClassHash(cls: EC2NodeClass): string {
  const spec = Object.fromEntries(Object.entries(cls.spec ?? {}).filter(([k]) => !RESOLVED.has(k)));
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

/**
 * The hash of what a node takes from its NodePool's template and cannot change once launched: its
 * labels and annotations, taints, start-up taints and NodeClass. Requirements are compared one by one
 * instead (loosening one is no drift), and expireAfter / terminationGracePeriod are behaviour, as in
 * Karpenter's static drift.
 */
export function templateHash(pool: NodePool): string {
  const t = pool.spec.template;
  const canonical = JSON.stringify([
    Object.entries(t.metadata?.labels ?? {}).sort(),
    Object.entries(
      (t.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {},
    ).sort(),
    t.spec.taints ?? [],
    t.spec.startupTaints ?? [],
    t.spec.nodeClassRef ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The labels the pool's nodes carry whatever their instance type. */
function labelsOf(
  pool: NodePool,
  autoMode: boolean,
  nodeClass: EC2NodeClass | undefined,
): Record<string, string> {
  if (autoMode)
    return {
      ...(pool.spec.template.metadata?.labels ?? {}),
      ...autoModeLabels(pool.spec.template.spec.nodeClassRef?.name ?? ''),
      [LABEL.nodePool]: pool.metadata.name,
    };
  return {
    ...(pool.spec.template.metadata?.labels ?? {}),
    [LABEL.nodePool]: pool.metadata.name,
    [TEMPLATE_HASH_LABEL]: templateHash(pool),
    ...(nodeClass ? { [NODECLASS_HASH_LABEL]: nodeClassHash(nodeClass) } : {}),
  };
}

/** The EC2NodeClass a NodePool's nodeClassRef names, among these (none for another kind of class). */
export function nodeClassOf(pool: NodePool, classes: readonly EC2NodeClass[]): EC2NodeClass | undefined {
  const ref = pool.spec.template.spec.nodeClassRef;
  if (!ref || (ref.kind ?? 'EC2NodeClass') !== 'EC2NodeClass') return undefined;
  return classes.find((c) => c.metadata.name === ref.name);
}

/** How the engine and the solver see a NodePool (one argument: safe to pass to `map`). */
export function poolView(pool: NodePool): PoolView {
  return poolViewWithClass(pool, undefined);
}

/**
 * A NodePool with its EC2NodeClass (a cluster's view): its nodes carry the class's hash too, and a
 * node launched from an older class drifts.
 */
export function poolViewWithClass(pool: NodePool, nodeClass: EC2NodeClass | undefined): PoolView {
  const spec = pool.spec.template.spec;
  const autoMode = isAutoModeClass(spec.nodeClassRef);
  const builtin = builtinPool(pool.metadata.name, spec.nodeClassRef);
  const labels = labelsOf(pool, autoMode, nodeClass);
  return {
    pool,
    name: pool.metadata.name,
    requirements: requirementsOf(builtin?.requirements ?? spec.requirements ?? [], labels, autoMode).merge(
      Requirements.of(classRequirements(nodeClass)),
    ),
    labels,
    taints: builtin?.taints ?? spec.taints ?? [],
    weight: pool.spec.weight ?? 0,
    limits: limitsOf(pool),
    ...(typeof pool.spec.replicas === 'number' ? { replicas: pool.spec.replicas } : {}),
    autoMode,
    vocabulary: autoMode ? 'auto' : 'karpenter',
    ...(builtin ? { builtin } : {}),
    ...imagesOf(nodeClass),
    ...(nodeClass && !autoMode
      ? { shape: classShape(nodeClass.spec), volumesPerHour: volumesPerHour(classVolumes(nodeClass.spec)) }
      : {}),
    ...reservedOf(nodeClass, autoMode),
  };
}
