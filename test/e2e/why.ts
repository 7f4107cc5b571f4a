/**
 * `berth why` as a platform team runs it during an incident: against the control plane with a
 * kubeconfig, and afterwards on the dump `kubectl get … -A -o yaml` wrote; and the Events Berth wrote
 * about the same object, to hold the two to one text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { kubectlWith } from './harness.js';
import type { WhyAnswer } from '../../src/why/answer.js';

type Kubectl = ReturnType<typeof kubectlWith>;

/** The dump the README tells a team to take. */
export const DUMP_KINDS = 'nodes,pods,pdb,pv,pvc,deployments,nodepools,nodeclaims,ec2nodeclasses,events';

export function whyCli(args: readonly string[]): { code: number; answer?: WhyAnswer; stderr: string } {
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'why', ...args, '-o', 'json'], {
    encoding: 'utf8',
  });
  const code = r.status ?? -1;
  return { code, stderr: r.stderr, ...(code === 0 ? { answer: JSON.parse(r.stdout) as WhyAnswer } : {}) };
}

/** The cluster's state written as the README says, to a file. */
export function takeDump(kubectl: Kubectl): string {
  const r = kubectl(['get', DUMP_KINDS, '-A', '-o', 'yaml']);
  if (r.code !== 0) throw new Error(r.stderr);
  const file = join(mkdtempSync(join(tmpdir(), 'berth-why-')), 'dump.yaml');
  writeFileSync(file, r.stdout);
  return file;
}

/** The messages of the Events of one reason about an object. */
export function eventMessages(
  kubectl: Kubectl,
  o: { kind: string; name: string; namespace?: string },
  reason: string,
): string[] {
  const r = kubectl([
    'get',
    'events',
    ...(o.namespace !== undefined ? ['-n', o.namespace] : ['-A']),
    '--field-selector',
    `involvedObject.kind=${o.kind},involvedObject.name=${o.name},reason=${reason}`,
    '-o',
    'json',
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout || '{"items":[]}') as { items: { message: string }[] }).items.map(
    (e) => e.message,
  );
}

/**
 * The answer of `berth why` when its text (`text(answer)`) is one of the messages of the object's
 * Events of `reason`; else an error saying both, for the test's last word.
 */
export function agreeing(
  kubectl: Kubectl,
  args: readonly string[],
  o: { kind: string; name: string; namespace?: string },
  reason: string,
  text: (a: WhyAnswer) => string,
): WhyAnswer {
  const r = whyCli(args);
  const said = eventMessages(kubectl, o, reason);
  if (r.answer && said.includes(text(r.answer))) return r.answer;
  const got = r.answer ? JSON.stringify({ ...r.answer, events: undefined }) : `exit ${r.code}: ${r.stderr}`;
  throw new Error(
    `berth why answered ${got.slice(0, 1500)}; the ${reason} Events say ${JSON.stringify(said)}`,
  );
}
