/**
 * `berth init`'s core: a policies.yaml whose runtime classes map to the NodePools a cluster has. Pure:
 * (the cluster's NodePools, a base policies.yaml, the mode) → the new file's text and what was chosen.
 *
 * Classes are by runtime, not by team (the design's rule): pools that carry a class label (by default
 * `berth.dev/runtime-class`) in their template form one class per value; every other pool is a class of
 * its own, selected by the label every node of a pool carries (`karpenter.sh/nodepool`). Each class
 * takes what its pools say: spot where a pool offers it, consolidation where a pool consolidates under
 * load. Everything else (rules, exemptions, the provisioner's settings) is the base's.
 */
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { regionOfZones, regionZones } from '../catalog/regions.js';
import { LABEL } from '../catalog/instance-type.js';
import { poolView, type NodePool, type PoolView } from '../scheduling/nodepool.js';
import { allows } from '../scheduling/requirements.js';
import { CLASS_LABEL } from '../kube/berth-labels.js';

export type InitMode = 'berth' | 'karpenter' | 'off';

export interface InitInput {
  readonly nodePools: readonly NodePool[];
  /** The policies.yaml to start from (its rules, exemptions and settings are kept). */
  readonly base: string;
  readonly mode: InitMode;
  /** Why this mode, for the summary ("a Karpenter controller is running: …"). */
  readonly modeWhy: string;
  /** The template label whose values name classes (default berth.dev/runtime-class). */
  readonly classLabel?: string;
  /** Shown in the file's first comment ("the cluster's NodePools", "pools.yaml"). */
  readonly source: string;
  /** For the first comment. */
  readonly today: string;
  /** The cluster's region (--region); else the region of the pools' zones, when they name one. */
  readonly region?: string;
}

export interface InitClass {
  readonly name: string;
  readonly nodePools: readonly string[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly spotAllowed: boolean;
  readonly consolidates: boolean;
  readonly memoryLimitRatio: number;
  readonly description: string;
}

export interface InitResult {
  readonly text: string;
  readonly classes: readonly InitClass[];
  /** One line per choice, for a person (stderr). */
  readonly summary: readonly string[];
}

const offersSpot = (v: PoolView): boolean => {
  const r = v.requirements.get(LABEL.capacityType);
  return r === undefined || allows(r, 'spot');
};

/** Karpenter v1's default consolidationPolicy is WhenEmptyOrUnderutilized; WhenEmpty moves no pod. */
const consolidatesUnderLoad = (pool: NodePool): boolean =>
  (pool.spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized') !== 'WhenEmpty' &&
  pool.spec.replicas === undefined;

const hasAccelerators = (v: PoolView): boolean =>
  v.taints.some((t) => /gpu|neuron/i.test(t.key)) ||
  [...v.requirements.values()].some(
    (r) => /gpu-count|accelerator-count/.test(r.key) && !allows(r, undefined) && allows(r, '1'),
  );

function describePools(views: readonly PoolView[]): string {
  const parts = views.map((v) => {
    const spot = offersSpot(v) ? 'spot or on-demand' : 'on-demand';
    const taints = v.taints.length > 0 ? `, taints ${v.taints.map((t) => t.key).join(', ')}` : '';
    return `${v.name} (${spot}${taints})`;
  });
  return `NodePool${views.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

function classOf(name: string, views: readonly PoolView[], selector: Record<string, string>): InitClass {
  return {
    name,
    nodePools: views.map((v) => v.name).sort(),
    nodeSelector: selector,
    // A class allows spot only if every pool of it may run spot: a class is one promise.
    spotAllowed: views.every(offersSpot),
    consolidates: views.some((v) => consolidatesUnderLoad(v.pool)),
    memoryLimitRatio: views.some(hasAccelerators) ? 1 : 1.5,
    description: `Written by berth init from ${describePools(views)}.`,
  };
}

/** The classes the pools make: one per value of the class label, one per other pool. */
export function classesOf(nodePools: readonly NodePool[], classLabel = CLASS_LABEL): InitClass[] {
  const views = [...nodePools].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map(poolView);
  const byLabel = new Map<string, PoolView[]>();
  const alone: PoolView[] = [];
  for (const v of views) {
    const value = v.pool.spec.template.metadata?.labels?.[classLabel];
    if (value === undefined) alone.push(v);
    else byLabel.set(value, [...(byLabel.get(value) ?? []), v]);
  }
  const out = [...byLabel].map(([value, vs]) => classOf(value, vs, { [classLabel]: value }));
  const taken = new Set(out.map((c) => c.name));
  for (const v of alone) {
    const name = taken.has(v.name) ? `${v.name}-pool` : v.name;
    taken.add(name);
    out.push(classOf(name, [v], { [LABEL.nodePool]: v.name }));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function setClasses(doc: Document, classes: readonly InitClass[]): void {
  const map: Record<string, unknown> = {};
  for (const c of classes)
    map[c.name] = {
      description: c.description,
      nodePools: [...c.nodePools],
      nodeSelector: { ...c.nodeSelector },
      spotAllowed: c.spotAllowed,
      consolidates: c.consolidates,
      memoryLimitRatio: c.memoryLimitRatio,
    };
  doc.set('runtimeClasses', doc.createNode(map));
}

/** The zones the pools name in their requirements, if every pool names some (else the base's stay). */
function poolZones(nodePools: readonly NodePool[]): string[] | undefined {
  const zones = new Set<string>();
  for (const p of nodePools) {
    const r = (p.spec.template.spec.requirements ?? []).find(
      (x) => x.key === LABEL.zone && x.operator === 'In',
    );
    if (!r) return undefined;
    for (const z of r.values ?? []) zones.add(z);
  }
  return zones.size > 0 ? [...zones].sort() : undefined;
}

/** Sets a top-level key just after another (`region` after `kind`), where a reader looks for it. */
function setNear(doc: Document, key: string, value: unknown, after: string): void {
  doc.set(key, value);
  if (!isMap(doc.contents)) return;
  const items = doc.contents.items;
  const at = items.findIndex((p) => isScalar(p.key) && p.key.value === key);
  const [pair] = items.splice(at, 1);
  const anchor = items.findIndex((p) => isScalar(p.key) && p.key.value === after);
  if (pair) items.splice(anchor + 1, 0, pair);
}

export function initPolicies(input: InitInput): InitResult {
  const classes = classesOf(input.nodePools, input.classLabel);
  const doc = parseDocument(input.base);
  setClasses(doc, classes);
  doc.setIn(['provisioner', 'mode'], input.mode);
  const zones = poolZones(input.nodePools);
  if (zones) doc.set('zones', doc.createNode(zones, { flow: true }));
  const region = input.region ?? regionOfZones(zones);
  if (region !== undefined) setNear(doc, 'region', region, 'kind');
  if (zones) setNear(doc, 'zones', doc.get('zones'), 'region');
  // The base's own header speaks of the base: the file says where it came from instead.
  const first = isMap(doc.contents) ? doc.contents.items[0] : undefined;
  if (first && isScalar(first.key)) first.key.commentBefore = null;
  doc.commentBefore = ` Berth policies, written by berth init on ${input.today} from ${input.source}: one runtime class per NodePool (or per ${input.classLabel ?? CLASS_LABEL} value its pools carry).\n Validate with \`berth policies validate policies.yaml --nodepools …\`; in the cluster it is the ConfigMap berth-policies.`;
  const summary = [
    `mode: ${input.mode} (${input.modeWhy})`,
    ...classes.map(
      (c) =>
        `class ${c.name} → NodePool${c.nodePools.length > 1 ? 's' : ''} ${c.nodePools.join(', ')} (nodeSelector ${Object.entries(
          c.nodeSelector,
        )
          .map(([k, v]) => `${k}=${v}`)
          .join(
            ', ',
          )}; ${c.spotAllowed ? 'spot allowed' : 'on-demand only'}; ${c.consolidates ? 'consolidates' : 'not consolidated under load'})`,
    ),
    ...(region !== undefined
      ? [`region: ${region} (${input.region !== undefined ? '--region' : "from the pools' zones"})`]
      : []),
    ...(zones
      ? [`zones: ${zones.join(', ')} (from the pools' requirements)`]
      : region !== undefined
        ? [`zones: ${regionZones(region).join(', ')} (the region's; set zones when the cluster's differ)`]
        : []),
  ];
  return { text: doc.toString({ lineWidth: 0 }), classes, summary };
}
