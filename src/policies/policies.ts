/** policies.yaml: loaded from YAML with line-numbered errors, then resolved per rule and object. */
import { readFileSync } from 'node:fs';
import { parseYamlDocuments, positionOf, type YamlError } from '../util/yaml-source.js';
import { selectorMatches, type LabelSelector, type Labels } from '../kube/selector.js';
import { regionProblem, zoneInRegion } from '../catalog/regions.js';
import { validatePoliciesDocument } from './schema/validate.js';
import type {
  ObjectExemption,
  PoliciesDocument,
  RuleConfig,
  RuntimeClassConfig,
} from './schema/policies-schema.js';
import type { Mode, RuleId } from './rules/ids.js';
import { packagePath } from '../util/package-root.js';
import { embeddedDefaults } from '../util/embedded.js';
import type { AdmissionPlugin } from '../scheduling/admission-plugins.js';
import { DEFAULT_FEWER_NODES_WITHIN } from '../scheduling/node-cost.js';

/** An HPA's default scale-down stabilization window. */
const DEFAULT_RETURNING_WINDOW_S = 300;
/** A replacing consolidation saves at least this share (disruption/acceptable.ts). */
export const DEFAULT_MIN_SAVINGS_PERCENT = 30;

export type Params = Readonly<Record<string, unknown>>;

export interface RuleScope {
  namespace: string;
  namespaceLabels: Labels;
  runtimeClass: string | undefined;
}

export interface Resolved {
  readonly mode: Mode;
  readonly params: Params;
}

export const DEFAULT_EXEMPT_NAMESPACES = ['kube-system', 'karpenter', 'berth-system'];

export class Policies {
  readonly runtimeClasses: ReadonlyMap<string, RuntimeClassConfig>;
  readonly zones: readonly string[] | undefined;
  /** The cluster's AWS region (`region`); commands take it from --region, this, or the zones. */
  readonly region: string | undefined;
  readonly exemptNamespaces: ReadonlySet<string>;

  constructor(
    readonly doc: PoliciesDocument,
    readonly source = '<inline>',
  ) {
    this.runtimeClasses = new Map(Object.entries(doc.runtimeClasses));
    this.zones = doc.zones;
    this.region = doc.region;
    this.exemptNamespaces = new Set(doc.exemptions?.namespaces ?? DEFAULT_EXEMPT_NAMESPACES);
  }

  /**
   * A rule's mode and params in a scope: its defaults, then the rule's config, then each override
   * that applies, in order (the engine plans this once per scope: src/policies/plan.ts).
   */
  resolve(rule: RuleId, defaults: Resolved, scope: RuleScope): Resolved {
    const cfg: RuleConfig | undefined = this.doc.rules?.[rule];
    let mode = cfg?.mode ?? defaults.mode;
    let params: Params = { ...defaults.params, ...(cfg?.params ?? {}) };
    for (const o of cfg?.overrides ?? []) {
      if (!overrideApplies(o, scope)) continue;
      mode = o.mode ?? mode;
      params = { ...params, ...(o.params ?? {}) };
    }
    return { mode, params };
  }

  /** A platform-granted exemption for this rule and object, if any is in force at `today` (YYYY-MM-DD). */
  exemption(
    rule: RuleId,
    kind: string,
    namespace: string,
    name: string,
    today: string,
  ): ObjectExemption | undefined {
    return (this.doc.exemptions?.objects ?? []).find(
      (e) =>
        (e.rule === rule || e.rule === '*') &&
        e.kind === kind &&
        e.namespace === namespace &&
        (e.name === name || e.name === '*') &&
        (e.expires === undefined || e.expires >= today),
    );
  }

  defaultProfile(namespace: string): string | undefined {
    return this.doc.defaultProfiles?.[namespace];
  }

  /** nativePolicies.rules: the API server judges the rules generated as ValidatingAdmissionPolicies. */
  get nativeRules(): boolean {
    return this.doc.nativePolicies?.rules === true;
  }

  get requiredLabels(): readonly string[] {
    return this.doc.requiredLabels ?? [];
  }

  /** The admission plugins the cluster's API server runs that change pods (EKS: ExtendedResourceToleration). */
  get admissionPlugins(): readonly AdmissionPlugin[] {
    return this.doc.cluster?.admissionPlugins ?? ['ExtendedResourceToleration'];
  }

  get provisionerMode(): 'berth' | 'karpenter' | 'off' {
    return this.doc.provisioner?.mode ?? 'berth';
  }

  /** Whether disruption runs, and consolidateAfter for NodePools that set none (Karpenter: 0 s). */
  get consolidation(): { enabled: boolean; consolidateAfterSeconds: number } {
    const c = this.doc.provisioner?.consolidation;
    return { enabled: c?.enabled ?? true, consolidateAfterSeconds: c?.consolidateAfterSeconds ?? 0 };
  }

  /** How long a workload that came back after shrinking keeps room for its peak (disruption/returning.ts). */
  get returningPodsWindowSeconds(): number {
    return this.doc.provisioner?.consolidation?.returningPodsWindowSeconds ?? DEFAULT_RETURNING_WINDOW_S;
  }

  /** Whether disruption moves the class's single replicas surge-first (disruption/surge.ts). */
  surgeFirst(runtimeClass: string | undefined): boolean {
    return runtimeClass !== undefined && this.runtimeClasses.get(runtimeClass)?.surgeFirst === true;
  }

  /**
   * The share (0–1) of the removed nodes' price a consolidation that replaces nodes of `pool` must
   * save: the largest minSavingsPercent of the runtime classes naming the pool, else the cluster's.
   */
  minSavings(pool: string): number {
    let percent: number | undefined;
    for (const c of this.runtimeClasses.values())
      if (c.minSavingsPercent !== undefined && c.nodePools.includes(pool))
        percent = Math.max(percent ?? 0, c.minSavingsPercent);
    percent ??= this.doc.provisioner?.consolidation?.minSavingsPercent ?? DEFAULT_MIN_SAVINGS_PERCENT;
    return percent / 100;
  }

  /** Consolidation may replace spot capacity with cheaper spot (off by default, as in Karpenter). */
  get spotToSpot(): boolean {
    return this.doc.provisioner?.consolidation?.spotToSpot === true;
  }

  /**
   * What a node costs beside its instance (USD/h per node, added to its volumes), and the tolerance
   * within which the plan with fewer nodes is preferred.
   */
  get nodeCost(): { perNodePerHour: number; preferFewerNodesWithin: number } {
    const c = this.doc.provisioner?.nodeCost;
    return {
      perNodePerHour: c?.perNodePerHour ?? 0,
      preferFewerNodesWithin: c?.preferFewerNodesWithin ?? DEFAULT_FEWER_NODES_WITHIN,
    };
  }

  /** Unhealthy nodes are replaced (Karpenter's NodeRepair feature gate; off by default, as there). */
  get nodeRepair(): boolean {
    return this.doc.provisioner?.nodeRepair === true;
  }

  get cloudProvider(): 'aws' | 'simulated' {
    return this.doc.provisioner?.cloudProvider ?? 'aws';
  }

  /** The most pods one provisioner round plans; the rest wait for the next round. */
  get maxPodsPerRound(): number {
    return this.doc.provisioner?.maxPodsPerRound ?? 20_000;
  }

  /**
   * Whether new pods wait behind Berth's scheduling gate until the capacity planned for them joins
   * (kube-scheduler then tries them once, instead of failing and backing off while no node fits).
   */
  get schedulingGates(): boolean {
    return this.doc.provisioner?.schedulingGates !== false;
  }

  /**
   * Whether a pod its controller makes again comes through the gate pinned to the Node planned for it
   * (a required node affinity term), not only steered there (a preferred one); a pin that turns out
   * wrong is undone by deleting the pod (kube/pod-pins.ts).
   */
  get pinToPlannedNode(): boolean {
    return this.doc.provisioner?.pinToPlannedNode !== false;
  }

  /**
   * How a burst of demand is gathered into one round: it ends after `idleMs` without new demand, and
   * never later than `maxMs` after it began (Karpenter's batcher: 1 s idle, 10 s max).
   */
  get batching(): { idleMs: number; maxMs: number } {
    const p = this.doc.provisioner;
    const maxMs = (p?.batchMaxSeconds ?? p?.batchWindowSeconds ?? 2) * 1000;
    const idleMs = Math.min((p?.batchIdleSeconds ?? 0.1) * 1000, maxMs);
    return { idleMs, maxMs };
  }
}

function overrideApplies(
  o: { namespaceSelector?: LabelSelector; namespaces?: string[]; runtimeClasses?: string[] },
  scope: RuleScope,
): boolean {
  if (o.namespaces && !o.namespaces.includes(scope.namespace)) return false;
  if (o.namespaceSelector && !selectorMatches(o.namespaceSelector, scope.namespaceLabels)) return false;
  if (
    o.runtimeClasses &&
    (scope.runtimeClass === undefined || !o.runtimeClasses.includes(scope.runtimeClass))
  ) {
    return false;
  }
  return true;
}

export type PoliciesLoad =
  | {
      ok: true;
      policies: Policies;
      /** Valid but worth a word: exemptions that have expired. */ warnings: YamlError[];
    }
  | { ok: false; errors: YamlError[] };

/** Parses and validates policies.yaml text; every error names file, line and column. */
export function loadPolicies(text: string, file: string, today = todayUtc()): PoliciesLoad {
  const parsed = parseYamlDocuments(text, file);
  if (!parsed.ok) return parsed;
  const [first, ...rest] = parsed.docs;
  if (!first)
    return { ok: false, errors: [{ file, line: 1, col: 1, message: 'the file holds no policy document' }] };
  if (rest[0]) {
    const p = rest[0].pos;
    return { ok: false, errors: [{ ...p, message: 'policies.yaml holds one document; found another here' }] };
  }
  const issues = validatePoliciesDocument(first.value);
  const errors: YamlError[] = issues.map((i) => ({
    ...positionOf(first, i.locate.pointer, i.locate.atKey),
    message: `${i.path}: ${i.message}`,
  }));
  const doc = first.value as PoliciesDocument;
  if (errors.length === 0) errors.push(...semanticErrors(doc, first));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policies: new Policies(doc, file), warnings: expiredExemptions(doc, first, today) };
}

const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** Exemptions past their `expires` date: they no longer apply, and the file should say so. */
function expiredExemptions(
  doc: PoliciesDocument,
  src: Parameters<typeof positionOf>[0],
  today: string,
): YamlError[] {
  const out: YamlError[] = [];
  (doc.exemptions?.objects ?? []).forEach((e, i) => {
    if (e.expires === undefined || e.expires >= today) return;
    out.push({
      ...positionOf(src, `/exemptions/objects/${i}/expires`),
      message: `warning: exemptions.objects[${i}] (${e.rule} on ${e.kind} ${e.namespace}/${e.name}) expired on ${e.expires}; it no longer applies`,
    });
  });
  return out;
}

/** `region` is a commercial AWS region, and `zones` are its zones. */
function regionErrors(doc: PoliciesDocument, src: Parameters<typeof positionOf>[0]): YamlError[] {
  const region = doc.region;
  if (region === undefined) return [];
  const problem = regionProblem(region);
  if (problem) return [{ ...positionOf(src, '/region'), message: `region: ${problem}` }];
  return (doc.zones ?? []).flatMap((z, i) =>
    zoneInRegion(z, region)
      ? []
      : [{ ...positionOf(src, `/zones/${i}`), message: `zones[${i}]: ${z} is not a zone of ${region}` }],
  );
}

function semanticErrors(doc: PoliciesDocument, src: Parameters<typeof positionOf>[0]): YamlError[] {
  const errors: YamlError[] = [];
  for (const [ns, profile] of Object.entries(doc.defaultProfiles ?? {})) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(profile)) {
      errors.push({
        ...positionOf(src, `/defaultProfiles/${ns}`),
        message: `defaultProfiles.${ns}: "${profile}" is not a profile name`,
      });
    }
  }
  errors.push(...regionErrors(doc, src));
  (doc.exemptions?.objects ?? []).forEach((e, i) => {
    if (e.expires !== undefined && Number.isNaN(Date.parse(e.expires))) {
      errors.push({
        ...positionOf(src, `/exemptions/objects/${i}/expires`),
        message: `exemptions.objects[${i}].expires: not a date`,
      });
    }
  });
  return errors;
}

export function loadPoliciesFile(file: string): PoliciesLoad {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ file, line: 0, col: 0, message: (e as Error).message }] };
  }
  return loadPolicies(text, file);
}

/** The repository's policies.yaml, embedded in the package: the default a platform team starts from. */
export function defaultPolicies(): Policies {
  const snapshot = embeddedDefaults();
  if (snapshot) return new Policies(snapshot.policies as PoliciesDocument, packagePath('policies.yaml'));
  const loaded = loadPoliciesFile(packagePath('policies.yaml'));
  if (!loaded.ok)
    throw new Error(
      `the embedded policies.yaml is invalid: ${loaded.errors.map((e) => e.message).join('; ')}`,
    );
  return loaded.policies;
}

export function formatYamlError(e: YamlError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}
