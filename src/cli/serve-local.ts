/** `berth serve --local`: the cluster view from files, as `berth check` builds it. */
import { StaticClusterView } from '../policies/view.js';
import type { KubeObject } from '../kube/objects.js';
import { loadObjects } from './inputs.js';
import { BadInput, type Session } from './session.js';

export function localView(paths: readonly string[], session: Session): StaticClusterView {
  const loaded = loadObjects(paths);
  if (!loaded.ok) throw new BadInput(loaded.errors);
  const pools = session.nodePools as unknown as KubeObject[];
  return new StaticClusterView(session.catalog, [...pools, ...loaded.objects.map((o) => o.object)]);
}
