/**
 * Node requirement algebra (Karpenter v1.14 scheduling.Requirement semantics, pkg/scheduling/requirement.go):
 * a requirement is the set of label values a node may carry for one key, and whether the node may lack
 * the key altogether. Integer bounds are inclusive, as Karpenter keeps them: `Gt N` is `Gte N+1`,
 * `Lt N` is `Lte N-1` (NewRequirementWithFlexibility). Shared by the policy engine (placement checks)
 * and the provisioner's solver.
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
  /** Inclusive integer lower bound (Gt N is kept as N+1, Gte N as N). */
  readonly gte?: number | undefined;
  /** Inclusive integer upper bound (Lt N is kept as N-1, Lte N as N). */
  readonly lte?: number | undefined;
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
      return bounded(key, { gte: firstInt(r.values) + 1 });
    case 'Gte':
      return bounded(key, { gte: firstInt(r.values) });
    case 'Lt':
      return bounded(key, { lte: firstInt(r.values) - 1 });
    case 'Lte':
      return bounded(key, { lte: firstInt(r.values) });
    default:
      // An unknown operator matches nothing, as the scheduler treats it.
      return { key, complement: false, values: new Set(), allowsAbsent: false };
  }
}

/** The operators Karpenter v1.14.1's NodePool CRD allows in a requirement. */
export const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'] as const;
/** The operators that take exactly one integer value. */
export const INTEGER_OPERATORS: ReadonlySet<string> = new Set(['Gt', 'Lt', 'Gte', 'Lte']);

function bounded(key: string, b: { gte?: number; lte?: number }): Requirement {
  return { key, complement: true, values: new Set(), ...b, allowsAbsent: false };
}

/** The value as Go's strconv.Atoi reads it (an optional sign, then decimal digits only); NaN otherwise. */
export function atoi(value: string): number {
  return /^[+-]?\d+$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
}

function firstInt(values: string[] | undefined): number {
  return atoi(values?.[0] ?? '');
}

function withinBounds(r: Requirement, value: string): boolean {
  if (r.gte === undefined && r.lte === undefined) return true;
  const n = atoi(value);
  if (Number.isNaN(n)) return false;
  return (r.gte === undefined || n >= r.gte) && (r.lte === undefined || n <= r.lte);
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
  const gte = maxDefined(a.gte, b.gte);
  const lte = minDefined(a.lte, b.lte);
  const allowsAbsent = a.allowsAbsent && b.allowsAbsent;
  const bounds = { gte, lte };
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
  const { gte, lte } = r;
  if (Number.isNaN(gte) || Number.isNaN(lte)) return false;
  return gte === undefined || lte === undefined || gte <= lte;
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
  if (r.gte !== undefined || r.lte !== undefined) {
    const parts = [];
    if (r.gte !== undefined) parts.push(`>= ${r.gte}`);
    if (r.lte !== undefined) parts.push(`<= ${r.lte}`);
    return `${r.key} ${parts.join(' and ')}`;
  }
  const vals = [...r.values].sort().join(',');
  if (r.complement) return r.values.size === 0 ? `${r.key} exists` : `${r.key} not in [${vals}]`;
  return r.values.size === 0 ? `${r.key} absent` : `${r.key} in [${vals}]`;
}
