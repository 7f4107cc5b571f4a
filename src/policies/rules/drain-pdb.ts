/** pdb-blocks-eviction, pdb-overlap, pdb-hpa-min: drain safety with the disruption controller's math. */
import { formatRef, refOf } from '../../kube/objects.js';
import { scaleIntOrPercent } from '../../kube/intstr.js';
import { effectiveReplicas, podLabelsOf } from '../../kube/workload.js';
import { expectedPods, hpaFor, hpaTarget, selectedWorkloads, withHpa, workloadFacts } from '../context.js';
import { pdbsSelecting } from '../lookup.js';
import { describeBudget, disruptionsAllowed, drainFix, type Budget } from '../disruption.js';
import type { HPA, PDB } from '../view.js';
import { NONE, type Finding, type Rule, type RuleInput } from './rule.js';
import { count } from '../../util/canonical.js';

const pdbName = (p: PDB): string => p.metadata?.name ?? '<unnamed>';
const budgetOf = (p: PDB): Budget => ({
  minAvailable: p.spec?.minAvailable,
  maxUnavailable: p.spec?.maxUnavailable,
});

function blocked(pdb: PDB, pods: number, subject: string): Finding | undefined {
  if (pods === 0) return undefined;
  const m = disruptionsAllowed(budgetOf(pdb), pods);
  if (m.allowed > 0) return undefined;
  return {
    what: `PodDisruptionBudget ${pdbName(pdb)} (${m.budget}) allows 0 evictions at ${pods} ${subject} (${m.arithmetic})`,
    brief: 'its PDB allows 0 evictions',
    fix: drainFix(budgetOf(pdb), pods),
  };
}

export const pdbBlocksEviction: Rule = {
  id: 'pdb-blocks-eviction',
  defaultMode: 'enforce',
  description: 'A PDB selecting the workload allows 0 evictions at the replica count it runs with.',
  targets: ['workload', 'pdb'],
  check(input: RuleInput): readonly Finding[] {
    if (input.target === 'workload') {
      const { w, ref, view } = input;
      const out: Finding[] = [];
      for (const pdb of w.pdbs) {
        const pods = expectedPods(pdb, view, ref.namespace, { ref, replicas: w.replicas });
        const f = blocked(pdb, pods, pods === w.replicas ? `replicas${w.replicasNote}` : 'selected pods');
        if (f) out.push(f);
      }
      return out;
    }
    if (input.target !== 'pdb') return NONE;
    const { pdb, view, ref } = input;
    const selected = selectedWorkloads(pdb, view, ref.namespace);
    if (selected.length === 0) return NONE;
    const pods = expectedPods(pdb, view, ref.namespace);
    const names = selected
      .map((w) => {
        const name = w.metadata?.name ?? '';
        const scaled = withHpa(effectiveReplicas(w), hpaFor(view, ref.namespace, w.kind, name));
        return `${w.kind ?? ''} ${name}${scaled.note === '' ? '' : ` at ${scaled.replicas}${scaled.note}`}`;
      })
      .join(', ');
    const m = disruptionsAllowed(budgetOf(pdb), pods);
    if (pods === 0 || m.allowed > 0) return NONE;
    return [
      {
        what: `${m.budget} allows 0 evictions at ${count(pods, 'pod')} of ${names} (${m.arithmetic})`,
        brief: `it allows 0 evictions at ${count(pods, 'pod')}`,
        fix: drainFix(budgetOf(pdb), pods),
      },
    ];
  },
};

function overlapFinding(pdbs: readonly PDB[], subject: string): Finding {
  const names = pdbs.map(pdbName).sort();
  return {
    what: `${subject} selected by ${names.length} PodDisruptionBudgets (${names.join(', ')}); every eviction of them fails`,
    fix: `keep one PodDisruptionBudget per set of pods: delete or narrow ${names.slice(1).join(', ')}`,
  };
}

export const pdbOverlap: Rule = {
  id: 'pdb-overlap',
  defaultMode: 'enforce',
  description: 'Two or more PDBs select the same pods: the eviction API refuses every eviction.',
  targets: ['workload', 'pdb'],
  check(input: RuleInput): readonly Finding[] {
    if (input.target === 'workload') {
      return input.w.pdbs.length >= 2 ? [overlapFinding(input.w.pdbs, 'its pods are')] : [];
    }
    if (input.target !== 'pdb') return NONE;
    const { pdb, view, ref } = input;
    const out: Finding[] = [];
    for (const w of selectedWorkloads(pdb, view, ref.namespace)) {
      const labels = podLabelsOf(w);
      const others = pdbsSelecting(view.pdbs(ref.namespace), labels).filter(
        (p) => pdbName(p) !== pdbName(pdb),
      );
      if (others.length > 0)
        out.push(
          overlapFinding(
            [pdb, ...others],
            `the pods of ${formatRef({ kind: w.kind ?? '', namespace: ref.namespace, name: w.metadata?.name ?? '' })} are`,
          ),
        );
    }
    return out;
  },
};

function hpaMinFinding(pdb: PDB, hpa: HPA): Finding | undefined {
  const min = hpa.spec.minReplicas ?? 1;
  const minAvailable = pdb.spec?.minAvailable;
  if (minAvailable === undefined) return undefined;
  const s = scaleIntOrPercent(minAvailable, min, true);
  if (!s || s.value < min) return undefined;
  const arithmetic = s.percent === undefined ? '' : ` (${s.percent}% of ${min} rounds up to ${s.value})`;
  return {
    what: `PodDisruptionBudget ${pdbName(pdb)} (${describeBudget(budgetOf(pdb))}) allows 0 evictions at HorizontalPodAutoscaler ${hpa.metadata?.name ?? ''}'s minReplicas ${min}${arithmetic}`,
    fix: drainFix(budgetOf(pdb), min, (r) => `raise the HPA's minReplicas to ${r}`),
  };
}

export const pdbHpaMin: Rule = {
  id: 'pdb-hpa-min',
  defaultMode: 'enforce',
  description: "minAvailable ≥ the HPA's minReplicas: undrainable at minimum scale.",
  targets: ['workload', 'pdb', 'hpa'],
  check(input: RuleInput): readonly Finding[] {
    const { view, ref } = input;
    switch (input.target) {
      case 'workload': {
        const hpa = input.w.hpa;
        return hpa ? input.w.pdbs.flatMap((p) => hpaMinFinding(p, hpa) ?? []) : [];
      }
      case 'pdb':
        return selectedWorkloads(input.pdb, view, ref.namespace).flatMap((w) => {
          const hpa = hpaFor(view, ref.namespace, w.kind, w.metadata?.name ?? '');
          return hpa ? (hpaMinFinding(input.pdb, hpa) ?? []) : [];
        });
      case 'hpa': {
        const w = hpaTarget(input.hpa, view, ref.namespace);
        if (!w) return NONE;
        // The PDBs that select the target, including the one its profile generates.
        const pdbs = workloadFacts(w, refOf(w, ref.namespace), view, input.policies)?.pdbs ?? [];
        return pdbs.flatMap((p) => hpaMinFinding(p, input.hpa) ?? []);
      }
      default:
        return NONE;
    }
  },
};
