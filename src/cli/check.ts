/** `berth check` and `berth compile`: the webhook's verdicts and mutations, offline. */
import { stringify } from 'yaml';
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { isCompiledKind } from '../kube/workload.js';
import { generatedPdbName } from '../policies/compile/pdb.js';
import type { OfflineResult } from '../policies/offline.js';
import {
  embeddedPoolsNotice,
  noticeLines,
  POOL_RULES,
  runFiles,
  type FileOptions,
  type SessionOptions,
} from '../inputs/session.js';
import { parseFormat, parseOnly, renderCheck, type ResultSource } from './output.js';
import { profileSchemaLines } from './schema-lines.js';
import { buildReports } from '../reports/policy-report.js';
import { KUBECTL_YAML_OUT } from '../util/yaml-source.js';
import type { CliIO } from '../util/io.js';

export interface CheckOpts extends SessionOptions, FileOptions {
  file: string[];
  output: string;
  /** check: denied | warnings (default: every result). */
  only?: string;
  namespace: string;
}

function run(opts: CheckOpts, io: CliIO): OfflineResult & { sources: ResultSource[] } {
  const {
    sources: loaded,
    notices,
    result,
    session,
  } = runFiles(opts, opts.file, () => io.clock(), opts.namespace);
  const onPools = result.verdicts.some((v) => v.violations.some((f) => POOL_RULES.has(f.rule)));
  io.err(noticeLines(notices) + embeddedPoolsNotice(session, onPools));
  const sources = loaded.map((o) => ({
    source: `${o.pos.file}:${o.pos.line}`,
    details: profileSchemaLines(o),
  }));
  return { ...result, sources };
}

/** `berth check`: the verdicts, as a table, JSON or YAML; exit 0 allowed, 1 denied. */
export function checkAction(opts: CheckOpts, io: CliIO): void {
  if (opts.output === 'policyreport') {
    const result = run(opts, io);
    const at = { seconds: Math.floor(io.clock().getTime() / 1000) };
    const reports = buildReports(result.verdicts, result.admitted, at);
    io.out(
      reports.map((r) => stringify(r, { ...KUBECTL_YAML_OUT, aliasDuplicateObjects: false })).join('---\n'),
    );
    io.exit(result.verdicts.every((v) => v.allowed) ? 0 : 1);
    return;
  }
  const format = parseFormat(opts.output);
  const only = parseOnly(opts.only);
  const result = run(opts, io);
  io.out(renderCheck(result.verdicts, format, result.sources, only));
  io.exit(result.verdicts.every((v) => v.allowed) ? 0 : 1);
}

/** `berth compile`: what admission would store, denied objects left out (and named on stderr). */
export function compileAction(opts: CheckOpts, io: CliIO): void {
  const result = run(opts, io);
  const { objects, pdbs, denied } = admittedDocs(result);
  const docs = [...objects, ...pdbs];
  if (opts.output === 'json')
    io.out(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs }, null, 2)}\n`);
  else io.out(docs.map((d) => stringify(d, KUBECTL_YAML_OUT)).join('---\n'));
  for (const d of denied) io.err(`berth: left out, denied: ${d} (berth check says why)\n`);
  io.exit(denied.length > 0 ? 1 : 0);
}

/**
 * What the cluster would hold after admission: the objects the webhook admits, as compiled, and the
 * PDBs generated for the admitted workloads — never a denied object nor the PDB of one.
 */
export function admittedDocs(result: OfflineResult): {
  objects: KubeObject[];
  pdbs: V1PodDisruptionBudget[];
  denied: string[];
} {
  const deniedAt = new Set(result.verdicts.flatMap((v, i) => (v.allowed ? [] : [i])));
  const denied = result.verdicts.filter((v) => !v.allowed).map((v) => `${v.kind} ${v.namespace}/${v.name}`);
  const kept = result.admitted.filter((_, i) => !deniedAt.has(i));
  const deniedPdbs = new Set(
    result.admitted
      .filter((o, i) => deniedAt.has(i) && isCompiledKind(o.kind))
      .map((o) => `${o.metadata?.namespace ?? ''}/${generatedPdbName(o.metadata?.name ?? '')}`),
  );
  const pdbs = result.pdbs.filter(
    (p) => !deniedPdbs.has(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`),
  );
  return { objects: kept, pdbs, denied };
}
