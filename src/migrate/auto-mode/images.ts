/**
 * What an EC2NodeClass's image choice becomes on EKS Auto Mode, which boots AWS's own Bottlerocket
 * image (a new one about every week, nodes drifting onto it) and takes no user data: a Windows class
 * cannot move, a pinned or custom image is a decision, a move from AL2023 a change worth testing. Pure.
 */
import type { NodeClassSpec } from '../../provisioner/nodeclass/spec.js';
import { decide, note, type Finding } from '../findings.js';

const WINDOWS = /^windows/i;

export function imageFindings(spec: NodeClassSpec, object: string): Finding[] {
  const out: Finding[] = [];
  const terms = spec.amiSelectorTerms ?? [];
  const aliases = terms.flatMap((t) => (t.alias !== undefined ? [t.alias] : []));
  const family = spec.amiFamily ?? aliases[0]?.split('@')[0] ?? '';
  if (WINDOWS.test(family) || aliases.some((a) => WINDOWS.test(a)))
    out.push(
      decide(
        object,
        'spec.amiFamily',
        'Auto Mode runs Linux only',
        'keep Windows workloads on this class (Karpenter or a node group)',
      ),
    );
  else if (terms.some((t) => t.alias === undefined))
    out.push(
      decide(
        object,
        'spec.amiSelectorTerms',
        'a custom image (by id, name, tags or SSM parameter) does not carry over: Auto Mode boots its own Bottlerocket',
        'test the workloads on Bottlerocket; move what the image added into containers or DaemonSets',
      ),
    );
  else
    for (const alias of aliases) {
      const [name, version] = alias.split('@');
      if (version !== 'latest')
        out.push(
          decide(
            object,
            'spec.amiSelectorTerms',
            `the pinned image ${alias} does not carry over`,
            'Auto Mode rolls its nodes onto each new Bottlerocket release: use disruption budgets to pace it',
          ),
        );
      else if ((name ?? '').toLowerCase() !== 'bottlerocket')
        out.push(
          note(
            object,
            'spec.amiSelectorTerms',
            `${alias} becomes Auto Mode's Bottlerocket`,
            'test DaemonSets that mount host paths or expect a package manager',
          ),
        );
    }
  if (spec.userData !== undefined)
    out.push(
      decide(
        object,
        'spec.userData',
        'Auto Mode takes no user data',
        'move bootstrap steps into a privileged DaemonSet, or NodeClass fields (certificateBundles, advancedNetworking)',
      ),
    );
  return out;
}
