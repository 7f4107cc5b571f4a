/**
 * `berth migrate`: the target objects on stdout (YAML, or one JSON document), the report on stderr —
 * what does not carry over, the workloads and their opt-ins, the steps — and the exit code: 0 when
 * everything carries over, 1 when something needs a decision, 2 for bad input.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { openSession } from '../inputs/session.js';
import { regionNotice, type RegionOptions } from '../inputs/region.js';
import { zonesNamed } from '../inputs/zones-named.js';
import { readObjects } from '../inputs/session.js';
import { loadKubeConfig } from '../kube/client.js';
import type { KubeObject } from '../kube/objects.js';
import { isWorkloadKind } from '../kube/workload.js';
import { migrateObjects } from '../migrate/cluster-source.js';
import { decide, renderFindings, type Finding } from '../migrate/findings.js';
import { toAutoMode, type Migration } from '../migrate/auto-mode/migrate.js';
import { storageOf } from '../migrate/volumes.js';
import { fromNodeGroups } from '../migrate/nodegroups/migrate.js';
import { parseDescribed, type GroupLimits } from '../migrate/nodegroups/describe.js';
import { validateAutoNodeClass } from '../policies/schema/validate.js';
import type { EC2NodeClass, NodePool } from '../scheduling/nodepool.js';
import type { Taint } from '../scheduling/taints.js';
import type { CliIO } from '../util/io.js';

export interface MigrateOpts extends RegionOptions {
  to?: string;
  from?: string;
  file?: string[];
  kubeconfig?: string;
  clusterName: string;
  taint?: string;
  nodeclass: string;
  nodegroups?: string[];
  catalog?: string;
  saveAs: string;
  output: string;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function parseTaint(text: string): Taint {
  const m = /^([^=:]+)(?:=([^:]*))?:(.+)$/.exec(text);
  const effect = m?.[3] ?? '';
  if (!m || !EFFECTS.includes(effect))
    throw new Error(`--taint must be key[=value]:effect with effect ${EFFECTS.join(', ')} (got ${text})`);
  return {
    key: m[1] ?? '',
    ...(m[2] !== undefined ? { value: m[2] } : {}),
    effect: effect,
  };
}

/** The node groups `aws eks describe-nodegroup` described, by name, from --nodegroups. */
function described(files: readonly string[] | undefined): Map<string, GroupLimits> {
  const out = new Map<string, GroupLimits>();
  for (const f of files ?? []) for (const [k, v] of parseDescribed(readFileSync(f, 'utf8'), f)) out.set(k, v);
  return out;
}

async function objectsOf(opts: MigrateOpts): Promise<KubeObject[]> {
  if (opts.file !== undefined) return readObjects(opts.file).objects.map((o) => o.object);
  return migrateObjects(loadKubeConfig(opts.kubeconfig));
}

const ofKind = <T>(objects: readonly KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as unknown as T[];

/** The printed NodeClasses checked against Auto Mode's shape: each issue is a decision. */
function schemaFindings(m: Migration): Finding[] {
  return m.objects.flatMap((o) =>
    o.kind === 'NodeClass'
      ? validateAutoNodeClass(o).map((i) =>
          decide(
            `NodeClass/${o.metadata.name}`,
            i.path,
            `${i.message}: Auto Mode would refuse it`,
            'fix the source field it comes from',
          ),
        )
      : [],
  );
}

function report(m: Migration, title: string): string {
  const lines = [title, ''];
  const decisions = m.findings.filter((f) => f.severity === 'decide').length;
  lines.push(
    m.findings.length === 0
      ? 'Everything carries over.'
      : `What does not carry over, or is worth knowing (${decisions} to decide, ${m.findings.length - decisions} to know):`,
    ...renderFindings(m.findings),
    '',
  );
  lines.push(
    m.moves.length === 0 ? 'No workload of the input runs on these pools.' : 'Workloads and their opt-in:',
  );
  for (const mv of m.moves) {
    const to = mv.to.length > 0 ? mv.to.join(', ') : 'none: it would lose its nodes';
    const needs = mv.to.length > 0 && mv.command === '' ? ' (already opted in)' : '';
    lines.push(`  ${mv.object}: ${mv.from.join(', ')} → ${to}${needs}`);
  }
  lines.push('', 'Steps:', ...m.steps, '');
  return lines.join('\n');
}

export async function migrateAction(opts: MigrateOpts, io: CliIO): Promise<void> {
  if ((opts.to === undefined) === (opts.from === undefined))
    throw new Error('berth migrate takes one of --to auto-mode or --from nodegroups');
  if (opts.to !== undefined && opts.to !== 'auto-mode')
    throw new Error(`--to takes auto-mode (got ${opts.to})`);
  if (opts.from !== undefined && opts.from !== 'nodegroups')
    throw new Error(`--from takes nodegroups (got ${opts.from})`);
  if (opts.output !== 'yaml' && opts.output !== 'json')
    throw new Error(`-o must be yaml or json (got ${opts.output})`);
  const taint = opts.taint !== undefined ? parseTaint(opts.taint) : undefined;
  const objects = await objectsOf(opts);
  const session = openSession(opts, zonesNamed(objects));
  io.err(regionNotice(session.catalog));
  const workloads = objects.filter((o) => isWorkloadKind(o.kind));
  const common = {
    catalog: session.catalog,
    cluster: opts.clusterName,
    file: opts.saveAs,
    ...(taint ? { taint } : {}),
  };
  const m =
    opts.to !== undefined
      ? toAutoMode({
          ...common,
          nodePools: ofKind<NodePool>(objects, 'NodePool'),
          nodeClasses: ofKind<EC2NodeClass>(objects, 'EC2NodeClass'),
          workloads,
          storage: storageOf(objects),
        })
      : fromNodeGroups({
          ...common,
          objects,
          workloads,
          nodeClass: opts.nodeclass,
          described: described(opts.nodegroups),
        });
  const all: Migration = { ...m, findings: [...m.findings, ...schemaFindings(m)] };
  if (opts.output === 'json') io.out(`${JSON.stringify(all, null, 2)}\n`);
  else io.out(all.objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
  const title = opts.to !== undefined ? 'berth migrate --to auto-mode' : 'berth migrate --from nodegroups';
  io.err(report(all, `${title}: ${all.objects.length} objects, ${all.moves.length} workloads`));
  io.exit(all.findings.some((f) => f.severity === 'decide') ? 1 : 0);
}
