/**
 * Karpenter → EKS Auto Mode, as AWS's guide does it by hand and no tool did: every NodePool on an
 * EC2NodeClass and its class made again as Auto Mode objects (tainted, side by side with the old),
 * every workload whose pods run on those pools named with its opt-in, what does not carry over said,
 * and the guardrail's steps with this cluster's commands. Pure: the caller reads and prints.
 */
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { KubeObject } from '../../kube/objects.js';
import { COMPUTE_TYPE } from '../../scheduling/vocabulary.js';
import { autoModeKey } from '../../scheduling/auto-mode.js';
import { poolView, type EC2NodeClass, type NodePool } from '../../scheduling/nodepool.js';
import type { Taint } from '../../scheduling/taints.js';
import { decide, type Finding } from '../findings.js';
import { movesOf, workloadId, type Move } from '../workloads.js';
import { autoModeVolumeFindings, storageOf, type Storage } from '../volumes.js';
import { autoName, autoNodeClass, type AutoNodeClass } from './nodeclass.js';
import { autoNodePool, MIGRATION_TAINT } from './nodepool.js';
import { autoModeSteps } from './steps.js';

export interface AutoModeInput {
  readonly nodePools: readonly NodePool[];
  readonly nodeClasses: readonly EC2NodeClass[];
  /** Workloads (and bare pods) whose opt-in is worked out. */
  readonly workloads: readonly KubeObject[];
  readonly catalog: Catalog;
  readonly taint?: Taint;
  /** The cluster's name, for the AWS commands (a placeholder when not known). */
  readonly cluster?: string;
  /** Where the printed objects are saved, for the apply step. */
  readonly file?: string;
  /** The claims, classes and volumes the workloads mount (none given: every claim is a decision). */
  readonly storage?: Storage;
}

export interface Migration {
  readonly objects: readonly (AutoNodeClass | NodePool)[];
  readonly findings: readonly Finding[];
  readonly moves: readonly Move[];
  readonly steps: readonly string[];
}

const isKarpenterPool = (p: NodePool) =>
  (p.spec.template.spec.nodeClassRef?.group ?? 'karpenter.k8s.aws') === 'karpenter.k8s.aws';

export function toAutoMode(input: AutoModeInput): Migration {
  const taint = input.taint ?? MIGRATION_TAINT;
  const findings: Finding[] = [];
  const pools = input.nodePools.filter(isKarpenterPool);
  const classes = new Map(input.nodeClasses.map((c) => [c.metadata.name, c]));
  const used = [...new Set(pools.map((p) => p.spec.template.spec.nodeClassRef?.name ?? ''))].sort();
  const objects: (AutoNodeClass | NodePool)[] = [];
  const classesMade: AutoNodeClass[] = [];
  for (const name of used) {
    const c = classes.get(name);
    if (c === undefined) {
      findings.push(
        decide(
          `EC2NodeClass/${name}`,
          undefined,
          'is not in the input: its NodeClass is not made',
          `give its file too, or write NodeClass ${autoName(name)} by hand`,
        ),
      );
      continue;
    }
    const r = autoNodeClass(c);
    objects.push(r.nodeClass);
    classesMade.push(r.nodeClass);
    findings.push(...r.findings);
  }
  const targets: NodePool[] = [];
  for (const p of pools) {
    const r = autoNodePool(p, input.catalog, taint);
    targets.push(r.nodePool);
    findings.push(...r.findings);
  }
  objects.push(...targets);
  const migrated = new Set(pools.map((p) => p.metadata.name));
  const moves = movesOf(
    input.workloads,
    {
      sources: pools.map(poolView),
      targets: targets.map(poolView),
      taint,
      selector: { [COMPUTE_TYPE]: 'auto' },
      rename: autoModeKey,
      revalue: (key, value) => (key === LABEL.nodePool && migrated.has(value) ? autoName(value) : value),
    },
    input.catalog,
    findings,
  );
  // A moved workload's volumes must be mountable on Auto Mode nodes.
  const moved = new Set(moves.filter((m) => m.to.length > 0).map((m) => m.object));
  const storage = input.storage ?? storageOf([]);
  const held = new Set<string>();
  for (const w of input.workloads) {
    if (!moved.has(workloadId(w))) continue;
    const found = autoModeVolumeFindings(w, storage);
    findings.push(...found);
    if (found.some((f) => f.severity === 'decide')) held.add(workloadId(w));
  }
  // Its opt-in waits until its volumes can follow: the step shows it commented out.
  const movesHeld = moves.map((m) =>
    held.has(m.object) ? { ...m, heldBy: 'its volumes (DECIDE above)' } : m,
  );
  const steps = autoModeSteps({
    cluster: input.cluster ?? '<cluster>',
    file: input.file ?? 'auto-mode.yaml',
    roles: [...new Set(classesMade.flatMap((o) => (typeof o.spec.role === 'string' ? [o.spec.role] : [])))],
    pools: pools.map((p) => ({ from: p.metadata.name, to: autoName(p.metadata.name) })),
    moves: movesHeld,
    taint,
  });
  return { objects, findings, moves: movesHeld, steps };
}
