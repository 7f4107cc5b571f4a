/**
 * A Karpenter NodePool as an EKS Auto Mode NodePool: the same `karpenter.sh/v1` object under a new
 * name, pointing at the migrated NodeClass, its requirements in Auto Mode's label vocabulary
 * (`eks.amazonaws.com/*` for `karpenter.k8s.aws/*`), its labels, taints, limits and disruption kept,
 * and the migration taint added so that only workloads that opt in land on it. Requirements Auto Mode
 * has no label for, instance types it does not offer and lifetimes past its 21 days are said. Pure.
 */
import { LABEL, type InstanceType } from '../../catalog/instance-type.js';
import type { Catalog } from '../../catalog/catalog.js';
import {
  AUTO_MODE_DEFAULT_LIFETIME_HOURS,
  AUTO_MODE_GROUP,
  AUTO_MODE_MAX_LIFETIME_HOURS,
  autoModeKey,
  autoModeRefuses,
} from '../../scheduling/auto-mode.js';
import { poolCatalog, poolView, type NodePool } from '../../scheduling/nodepool.js';
import { typesFor } from '../../scheduling/placement.js';
import type { NodeSelectorRequirement } from '../../scheduling/requirements.js';
import type { Taint } from '../../scheduling/taints.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { decide, note, type Finding } from '../findings.js';
import { autoName, MIGRATED_FROM } from './nodeclass.js';

type Requirement = NodeSelectorRequirement & { minValues?: number };

/** The taint of AWS's migration guide: pods land on Auto Mode nodes only once they tolerate it. */
export const MIGRATION_TAINT: Taint = { key: 'eks-auto-mode', effect: 'NoSchedule' };

const HOUR_MS = 3_600_000;

/** A requirement in Auto Mode's vocabulary, or why it has none. */
export function autoRequirement(r: Requirement): { req: Requirement } | { drop: string } {
  if (r.key === LABEL.os) return { drop: 'os' };
  const key = autoModeKey(r.key);
  if (key === undefined) return { drop: 'label' };
  return { req: key === r.key ? r : { ...r, key } };
}

function requirements(reqs: readonly Requirement[], object: string, out: Finding[]): Requirement[] {
  const kept: Requirement[] = [];
  reqs.forEach((r, i) => {
    const field = `spec.template.spec.requirements[${i}]`;
    const a = autoRequirement(r);
    if ('req' in a) kept.push(a.req);
    else if (a.drop === 'os') {
      const linux = r.operator === 'In' ? (r.values ?? []).includes('linux') : r.operator !== 'DoesNotExist';
      out.push(
        linux
          ? note(
              object,
              field,
              'kubernetes.io/os is not a requirement Auto Mode takes: its nodes are Linux',
              'nothing: it is dropped',
            )
          : decide(
              object,
              field,
              'Auto Mode runs Linux only',
              'keep this pool and its workloads on Karpenter',
            ),
      );
    } else
      out.push(
        decide(
          object,
          field,
          `${r.key} has no Auto Mode label: the requirement is dropped, so the pool allows more types`,
          'narrow the types by eks.amazonaws.com/instance-family or node.kubernetes.io/instance-type',
        ),
      );
  });
  return kept;
}

/** The instance types the pool allows that Auto Mode does not offer, and whether any is left. */
function offered(pool: NodePool, catalog: Catalog): { refused: InstanceType[]; left: number } {
  const view = poolView(pool);
  const types = typesFor(view.requirements, poolCatalog(view, catalog));
  const refused = types.filter((t) => autoModeRefuses(t) !== undefined);
  return { refused, left: types.length - refused.length };
}

function typeFindings(pool: NodePool, catalog: Catalog, object: string, out: Finding[]): void {
  const { refused, left } = offered(pool, catalog);
  if (refused.length === 0) return;
  const names = refused.map((t) => t.name);
  const shown =
    names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
  const why = autoModeRefuses(refused[0] as InstanceType) ?? '';
  if (left === 0)
    out.push(
      decide(
        object,
        'spec.template.spec.requirements',
        `Auto Mode offers none of the types this pool allows (${shown}: ${why})`,
        'allow families Auto Mode offers (c, m, r from generation 5, t3, t4g…), or keep the pool on Karpenter',
      ),
    );
  else
    out.push(
      note(
        object,
        'spec.template.spec.requirements',
        `${refused.length} of the types it allows are not offered by Auto Mode (${shown})`,
        `nothing: ${left} types remain`,
      ),
    );
}

function lifetime(expireAfter: string | undefined, object: string, out: Finding[]): string | undefined {
  const field = 'spec.template.spec.expireAfter';
  const max = `${AUTO_MODE_MAX_LIFETIME_HOURS}h`;
  if (expireAfter === undefined) {
    out.push(
      note(
        object,
        field,
        `nodes live ${AUTO_MODE_DEFAULT_LIFETIME_HOURS}h (Auto Mode's default) instead of Karpenter's 720h`,
        'set expireAfter (at most 504h) if the pace matters',
      ),
    );
    return undefined;
  }
  const ms = parseGoDuration(expireAfter);
  if (ms !== undefined && ms <= AUTO_MODE_MAX_LIFETIME_HOURS * HOUR_MS) return expireAfter;
  out.push(
    decide(
      object,
      field,
      `${expireAfter} is past Auto Mode's longest node lifetime: set to ${max}`,
      'make the workloads take a node replacement every 21 days (PDBs, do-not-disrupt windows)',
    ),
  );
  return max;
}

/** The Auto Mode NodePool for a Karpenter one (its class migrated as `classes.get(name)`), and the findings. */
export function autoNodePool(
  pool: NodePool,
  catalog: Catalog,
  taint: Taint = MIGRATION_TAINT,
): { nodePool: NodePool; findings: Finding[] } {
  const object = `NodePool/${pool.metadata.name}`;
  const out: Finding[] = [];
  const t = pool.spec.template.spec;
  const ref = t.nodeClassRef;
  if (ref === undefined || (ref.group ?? 'karpenter.k8s.aws') !== 'karpenter.k8s.aws')
    out.push(
      decide(
        object,
        'spec.template.spec.nodeClassRef',
        'not a Karpenter EC2NodeClass pool',
        'leave it out of the migration',
      ),
    );
  const reqs = requirements(t.requirements ?? [], object, out);
  // Auto Mode asks for at least one requirement: one that allows what Karpenter allowed.
  if (reqs.length === 0)
    reqs.push({ key: LABEL.capacityType, operator: 'In', values: ['on-demand', 'spot'] });
  typeFindings(pool, catalog, object, out);
  const expireAfter = lifetime(t.expireAfter, object, out);
  const taints = [...(t.taints ?? [])];
  if (!taints.some((x) => x.key === taint.key && x.effect === taint.effect)) taints.push(taint);
  const rest = { ...t };
  Reflect.deleteProperty(rest, 'expireAfter');
  const nodePool: NodePool = {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: autoName(pool.metadata.name), annotations: { [MIGRATED_FROM]: object } },
    spec: {
      ...pool.spec,
      template: {
        ...pool.spec.template,
        spec: {
          ...rest,
          nodeClassRef: { group: AUTO_MODE_GROUP, kind: 'NodeClass', name: autoName(ref?.name ?? 'default') },
          requirements: reqs,
          taints,
          ...(expireAfter !== undefined ? { expireAfter } : {}),
        },
      },
    },
  };
  return { nodePool, findings: out };
}
