/**
 * The guardrail of a move to EKS Auto Mode, in order, with the commands for this cluster: Auto Mode
 * on without its non-selective general-purpose pool, node access for each role, the tainted objects
 * applied, workloads opted in one at a time and checked, the old pools deleted once nothing needs
 * them, Karpenter uninstalled once no NodeClaim of its remains. Pure.
 */
import { formatTaint, type Taint } from '../../scheduling/taints.js';
import type { Move } from '../workloads.js';

export interface StepsInput {
  readonly cluster: string;
  readonly file: string;
  readonly roles: readonly string[];
  readonly pools: readonly { readonly from: string; readonly to: string }[];
  readonly moves: readonly Move[];
  readonly taint: Taint;
}

const KARPENTER_CLAIMS = `kubectl get nodeclaims -o jsonpath='{range .items[?(@.spec.nodeClassRef.group=="karpenter.k8s.aws")]}{.metadata.name}{"\\n"}{end}'`;

export function autoModeSteps(s: StepsInput): string[] {
  const out: string[] = [];
  out.push(
    `1. Turn Auto Mode on, with only its system pool (its general-purpose pool takes any pod):\n` +
      `   aws eks update-cluster-config --name ${s.cluster} --compute-config '{"enabled":true,"nodePools":["system"],"nodeRoleArn":"<node-role-arn>"}' --kubernetes-network-config '{"elasticLoadBalancing":{"enabled":true}}' --storage-config '{"blockStorage":{"enabled":true}}'`,
  );
  const access = s.roles.map(
    (role) =>
      `   aws eks create-access-entry --cluster-name ${s.cluster} --principal-arn <arn of ${role}> --type EC2\n` +
      `   aws eks associate-access-policy --cluster-name ${s.cluster} --principal-arn <arn of ${role}> --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy --access-scope type=cluster`,
  );
  out.push(
    `2. Let the NodeClasses' node roles join the cluster:\n${access.length > 0 ? access.join('\n') : '   (no role named: the NodeClasses use an instance profile; give it an access entry of type EC2)'}`,
  );
  out.push(
    `3. Apply the Auto Mode objects (tainted ${formatTaint(s.taint)}: nothing lands on them yet) and check that each NodeClass is Ready:\n` +
      `   kubectl apply -f ${s.file}\n   kubectl get nodeclasses.eks.amazonaws.com`,
  );
  const opt = s.moves
    .filter((m) => m.command !== '')
    .map((m) =>
      m.heldBy !== undefined ? `   # once ${m.heldBy} can follow: ${m.command}` : `   ${m.command}`,
    );
  out.push(
    `4. Opt the workloads in, one class at a time, and watch each land before the next:\n${opt.length > 0 ? opt.join('\n') : '   (no workload of the input runs on these pools)'}`,
  );
  out.push(
    `5. Check: every pod Running on Auto Mode nodes, PDBs healthy, the cost:\n` +
      `   kubectl get pods -A -o wide --field-selector status.phase!=Running\n   berth why pod <namespace>/<name>   # for any pod that waits\n   berth cost --by nodepool`,
  );
  out.push(
    `6. Retire the old pools once no workload needs them (Karpenter drains their nodes within PDBs):\n` +
      s.pools.map((p) => `   kubectl delete nodepool ${p.from}`).join('\n'),
  );
  out.push(
    `7. Uninstall Karpenter once none of its NodeClaims remain (this prints nothing):\n   ${KARPENTER_CLAIMS}\n   helm uninstall karpenter -n kube-system`,
  );
  out.push(
    `8. Optionally, to make Auto Mode the default: remove ${formatTaint(s.taint)} from the new pools (kubectl edit nodepool ${s.pools.map((p) => p.to).join(', ')}), then the opt-in node selectors.`,
  );
  return out;
}
