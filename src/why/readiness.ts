/**
 * Whether a NodePool launches at all, as the provisioner decides it: its own Ready condition when its
 * status has one (Karpenter and Berth write it: NodeClassReady, validation), else its EC2NodeClass's
 * (a dump of files without status). A pool that does not launch is left out of the simulated round,
 * as the provisioner leaves it out. Pure.
 */
import { classLaunchable, type PoolView } from '../scheduling/nodepool.js';
import type { WhyWorld } from './world.js';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** Why a pool's EC2NodeClass keeps it from launching, if it does. */
function classProblem(w: WhyWorld, view: PoolView): string | undefined {
  const ref = view.pool.spec.template.spec.nodeClassRef;
  if (!ref) return undefined;
  const cls = w.nodeClasses.find((c) => c.metadata.name === ref.name);
  if (!cls)
    return w.nodeClasses.length === 0
      ? undefined
      : `its EC2NodeClass ${ref.name} does not exist: NodePool ${view.name} launches nothing`;
  if (classLaunchable(cls)) return undefined;
  const ready = cls.status?.conditions?.find((c) => c.type === 'Ready');
  return `its EC2NodeClass ${ref.name} is not Ready (${ready?.reason ?? 'NotReady'}${ready?.message ? `: ${ready.message}` : ''}): NodePool ${view.name} launches nothing`;
}

/** Why the pool launches nothing now, or undefined when it launches. */
export function poolNotReady(w: WhyWorld, view: PoolView): string | undefined {
  if (view.autoMode) return undefined;
  const status = (view.pool as { status?: { conditions?: Condition[] } }).status;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  if (ready === undefined) return classProblem(w, view);
  if (ready.status === 'True') return undefined;
  const said = [ready.reason, ready.message].filter((x) => x !== undefined && x !== '').join(': ');
  return `NodePool ${view.name} is not Ready${said ? ` (${said})` : ''}: it launches nothing`;
}
