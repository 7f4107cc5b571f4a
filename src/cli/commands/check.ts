/** `berth check` and `berth compile`: their flags; the work is loaded when one runs. */
import type { Command } from 'commander';
import { regionOptions } from './region-options.js';
import type { CheckOpts } from '../check.js';
import type { CliIO } from '../../util/io.js';

export function fileOptions(cmd: Command): Command {
  return regionOptions(cmd)
    .requiredOption(
      '-f, --file <path...>',
      'files or folders of Kubernetes objects (YAML or JSON; - for standard input; kustomization files and Helm templates are not objects)',
    )
    .option('--policies <file>', 'policies.yaml (default: the embedded one)')
    .option(
      '--nodepools <path...>',
      "the cluster's NodePools, EC2NodeClasses and NodeOverlays, files or folders (kubectl get nodepools,ec2nodeclasses,nodeoverlays -o yaml); its NodePools and node classes are reviewed as those of -f are (default: Berth's embedded sample pools, berth-*, not your cluster's: a notice says so when a verdict rests on them)",
    )
    .option('--catalog <file>', 'instance types in the ec2-instance-types.json format (default: built in)')
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .option(
      '--exclude <glob...>',
      'leave out files of a folder whose path or name matches (*, **, ?); folders also skip, with a notice, files with no Kubernetes object (IAM policies, dashboards)',
    )
    .option('--allow-empty', 'zero objects in the input is not an error (by default it is: exit 2)')
    .option(
      '--admission-policies <path...>',
      "the cluster's ValidatingAdmissionPolicies, their bindings and params, files or folders (kubectl get validatingadmissionpolicies,validatingadmissionpolicybindings,configmaps -A -o yaml): they judge -f's objects as kube-apiserver would, without being judged themselves (those among -f judge too)",
    )
    .option(
      '--as <user>',
      'the user the requests come from, for ValidatingAdmissionPolicies that read request.userInfo',
    )
    .option('--as-group <group...>', 'the groups of that user');
}

export function registerCheck(program: Command, io: CliIO): void {
  fileOptions(program.command('check'))
    .description(
      'evaluate every object as if applied together to one cluster (workloads, PDBs, HPAs, profiles, and NodePools and node classes beside --nodepools); exit 0 allowed, 1 denied, 2 bad input',
    )
    .option(
      '-o, --output <format>',
      'table | json | yaml | policyreport (wgpolicyk8s.io/v1alpha2 PolicyReports, a result per object and rule)',
      'table',
    )
    .option('--only <which>', 'denied | warnings: only those results (the totals still count every object)')
    .action(async (opts: CheckOpts) => {
      (await import('../check.js')).checkAction(opts, io);
    });

  fileOptions(program.command('compile'))
    .description(
      'print the objects as admitted (compiled against their profiles) and the PDBs Berth generates; ' +
        'denied objects are left out (named on stderr); exit 0 all admitted, 1 something denied, 2 bad input',
    )
    .option('-o, --output <format>', 'yaml | json', 'yaml')
    .action(async (opts: CheckOpts) => {
      (await import('../check.js')).compileAction(opts, io);
    });
}
