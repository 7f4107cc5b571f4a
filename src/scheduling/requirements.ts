/**
 * Node requirement algebra (Karpenter scheduling.Requirement semantics): a requirement is the set of
 * label values a node may carry for one key, and whether the node may lack the key altogether.
 * Shared by the policy engine (placement checks) and the provisioner's solver.
 */

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[] | undefined;
}

export interface Requirement {
  readonly key: string;
  /** true: every value except `values`; false: exactly `values`. */
  readonly complement: boolean;
  readonly values: ReadonlySet<string>;
  readonly greaterThan?: number | undefined;
  readonly lessThan?: number | undefined;
  /** Whether a node without the label satisfies it. */
  readonly allowsAbsent: boolean;
}

export function requirement(r: NodeSelectorRequirement): Requirement {
  const values = new Set(r.values ?? []);
  const key = r.key;
  switch (r.operator) {
    case 'In':
      return { key, complement: false, values, allowsAbsent: false };
    case 'NotIn':
      return { key, complement: true, values, allowsAbsent: true };
    case 'Exists':
      return { key, complement: true, values: new Set(), allowsAbsent: false };
    case 'DoesNotExist':
      return { key, complement: false, values: new Set(), allowsAbsent: true };
    case 'Gt':
      return {
        key,
        complement: true,
        values: new Set(),
        greaterThan: firstInt(r.values),
        allowsAbsent: false,
      };
    case 'Lt':
      return { key, complement: true, values: new Set(), lessThan: firstInt(r.values), allowsAbsent: false };
    default:
      // An unknown operator matches nothing, as the scheduler treats it.
      return { key, complement: false, values: new Set(), allowsAbsent: false };
  }
}

function firstInt(values: string[] | undefined): number {
  const n = Number.parseInt(values?.[0] ?? '', 10);
  return Number.isNaN(n) ? Number.NaN : n;
}

function withinBounds(r: Requirement, value: string): boolean {
  if (r.greaterThan === undefined && r.lessThan === undefined) return true;
  const n = Number.parseInt(value, 10);
  if (Number.isNaN(n)) return false;
  return (r.greaterThan === undefined || n > r.greaterThan) && (r.lessThan === undefined || n < r.lessThan);
}

/** Whether a node whose label `key` has this value (undefined: no such label) satisfies r. */
export function allows(r: Requirement, value: string | undefined): boolean {
  if (value === undefined) return r.allowsAbsent;
  const listed = r.values.has(value);
  return (r.complement ? !listed : listed) && withinBounds(r, value);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

export function intersect(a: Requirement, b: Requirement): Requirement {
  const greaterThan = maxDefined(a.greaterThan, b.greaterThan);
  const lessThan = minDefined(a.lessThan, b.lessThan);
  const allowsAbsent = a.allowsAbsent && b.allowsAbsent;
  const bounds = { greaterThan, lessThan };
  if (a.complement && b.complement) {
    return {
      key: a.key,
      complement: true,
      values: new Set([...a.values, ...b.values]),
      ...bounds,
      allowsAbsent,
    };
  }
  const [finite, other] = a.complement ? [b, a] : [a, b];
  const values = new Set([...finite.values].filter((v) => allows(other, v) && withinBounds(finite, v)));
  return { key: a.key, complement: false, values, allowsAbsent };
}

/** Whether some node (with a value or without the label) satisfies r. */
export function satisfiable(r: Requirement): boolean {
  if (r.allowsAbsent) return true;
  if (!r.complement) return r.values.size > 0;
  const { greaterThan: gt, lessThan: lt } = r;
  if (Number.isNaN(gt) || Number.isNaN(lt)) return false;
  return gt === undefined || lt === undefined || lt - gt > 1;
}

/** A conjunction of requirements, one per key. */
export class Requirements {
  private readonly byKey = new Map<string, Requirement>();

  static of(list: Iterable<NodeSelectorRequirement>): Requirements {
    const out = new Requirements();
    for (const r of list) out.add(requirement(r));
    return out;
  }

  static fromLabels(labels: Readonly<Record<string, string>>): Requirements {
    return Requirements.of(Object.entries(labels).map(([key, v]) => ({ key, operator: 'In', values: [v] })));
  }

  add(r: Requirement): this {
    const prev = this.byKey.get(r.key);
    this.byKey.set(r.key, prev ? intersect(prev, r) : r);
    return this;
  }

  get(key: string): Requirement | undefined {
    return this.byKey.get(key);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  values(): IterableIterator<Requirement> {
    return this.byKey.values();
  }

  merge(other: Requirements): Requirements {
    const out = new Requirements();
    for (const r of this.byKey.values()) out.add(r);
    for (const r of other.byKey.values()) out.add(r);
    return out;
  }

  /** Whether a node with these labels satisfies every requirement. */
  matchesLabels(labels: Readonly<Record<string, string>>): boolean {
    for (const r of this.byKey.values()) if (!allows(r, labels[r.key])) return false;
    return true;
  }
}

export function describeRequirement(r: Requirement): string {
  if (r.greaterThan !== undefined || r.lessThan !== undefined) {
    const parts = [];
    if (r.greaterThan !== undefined) parts.push(`> ${r.greaterThan}`);
    if (r.lessThan !== undefined) parts.push(`< ${r.lessThan}`);
    return `${r.key} ${parts.join(' and ')}`;
  }
  const vals = [...r.values].sort().join(',');
  if (r.complement) return r.values.size === 0 ? `${r.key} exists` : `${r.key} not in [${vals}]`;
  return r.values.size === 0 ? `${r.key} absent` : `${r.key} in [${vals}]`;
}
