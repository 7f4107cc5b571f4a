/** `berth demo`: the examples through compile and check, printed as kubectl would show them. */
import { admittedDocs } from './check.js';
import { relative } from 'node:path';
import type { KubeObject } from '../kube/objects.js';
import { denialMessage, type Verdict } from '../policies/engine.js';
import type { OfflineResult } from '../policies/offline.js';
import { packagePath, packageRoot } from '../util/package-root.js';
import type { SourcedObject } from '../inputs/objects.js';
import {
  clusterClasses,
  clusterOverlays,
  clusterPools,
  runFiles,
  type Session,
  type SessionOptions,
} from '../inputs/session.js';
import { solverInputOf } from '../provisioner/input/plan-input.js';
import { solve } from '../provisioner/solver/solve.js';
import { renderPlanTable } from './plan-output.js';
import type { CliIO } from '../util/io.js';

const GROUPS: Record<string, string> = {
  Deployment: 'deployment.apps',
  StatefulSet: 'statefulset.apps',
  ReplicaSet: 'replicaset.apps',
  DaemonSet: 'daemonset.apps',
  Job: 'job.batch',
  CronJob: 'cronjob.batch',
  Pod: 'pod',
  Namespace: 'namespace',
  WorkloadProfile: 'workloadprofile.berth.dev',
  PodDisruptionBudget: 'poddisruptionbudget.policy',
  HorizontalPodAutoscaler: 'horizontalpodautoscaler.autoscaling',
};

export function kubectlName(kind: string, name: string): string {
  return `${GROUPS[kind] ?? kind.toLowerCase()}/${name}`;
}

/** What `kubectl apply` prints for one object given Berth's verdict. */
export function kubectlLines(file: string, v: Verdict, notes: readonly string[]): string[] {
  const lines = v.warnings.map((w) => `Warning: ${w}`);
  if (!v.allowed) {
    lines.push(
      `Error from server (Forbidden): error when creating "${file}": admission webhook "validate.berth.dev" denied the request:`,
    );
    lines.push(...denialMessage(v).split('\n'));
    return lines;
  }
  lines.push(`${kubectlName(v.kind, v.name)} created`);
  if (notes.length > 0) lines.push(`  # mutated by mutate.berth.dev: ${notes.join('; ')}`);
  return lines;
}

export interface DemoOpts extends SessionOptions {
  examples?: string;
}

function render(sources: readonly SourcedObject[], result: OfflineResult): string {
  const out: string[] = ['Berth demo: the examples applied to one cluster, as kubectl would show them.', ''];
  let file = '';
  sources.forEach((src, i) => {
    const shown = relative(packageRoot(), src.pos.file) || src.pos.file;
    if (src.pos.file !== file) {
      file = src.pos.file;
      out.push('', `$ kubectl apply -f ${shown}`);
    }
    const v = result.verdicts[i];
    const admitted: KubeObject | undefined = result.admitted[i];
    if (v && admitted) out.push(...kubectlLines(shown, v, result.notes.get(admitted) ?? []));
  });
  // Only the PDBs of admitted workloads: a denied workload never exists, so neither does its PDB.
  const { pdbs } = admittedDocs(result);
  if (pdbs.length > 0) {
    out.push('', '# The profile controller creates the PodDisruptionBudgets the profiles ask for:');
    for (const p of pdbs)
      out.push(
        `${kubectlName('PodDisruptionBudget', p.metadata?.name ?? '')} created (${p.spec?.minAvailable !== undefined ? `minAvailable ${String(p.spec.minAvailable)}` : `maxUnavailable ${String(p.spec?.maxUnavailable)}`})`,
      );
  }
  const denied = result.verdicts.filter((v) => !v.allowed).length;
  const warned = result.verdicts.filter((v) => v.allowed && v.warnings.length > 0).length;
  out.push(
    '',
    `${result.verdicts.length} objects: ${result.verdicts.length - denied} admitted (${warned} with warnings), ${denied} denied.`,
  );
  out.push(
    'See what Berth compiles with: berth compile -f examples/   and the full verdicts with: berth check -f examples/ -o json',
  );
  return `${out.join('\n')}\n`;
}

/** What the provisioner would buy for the admitted workloads, as `berth plan` prints it. */
function renderCapacity(result: OfflineResult, session: Session): string {
  const admitted = result.admitted.filter((_, i) => result.verdicts[i]?.allowed !== false);
  const input = solverInputOf({
    objects: admitted,
    cluster: [],
    nodePools: clusterPools(session, result.admitted),
    nodeClasses: clusterClasses(session, result.admitted),
    nodeOverlays: clusterOverlays(session, result.admitted),
    catalog: session.catalog,
    defaultNamespace: 'default',
  });
  const plan = solve({ ...input, budgetMillis: 100 });
  const spot = plan.nodes.some((n) => n.capacityType === 'spot');
  return `\n# The provisioner packs the admitted workloads' replicas onto the NodePools (berth plan -f examples/):\n${renderPlanTable(plan, spot)}`;
}

/** `berth demo`: the examples as kubectl would show them, and what the provisioner would buy. */
export function demoAction(opts: DemoOpts, io: CliIO): void {
  const dir = opts.examples ?? packagePath('examples');
  const { sources, result, session } = runFiles(opts, [dir], () => io.clock());
  io.out(render(sources, result));
  io.out(renderCapacity(result, session));
  io.exit(0);
}
