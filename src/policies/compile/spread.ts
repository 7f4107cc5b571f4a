/** availability.zoneSpread → a zone spread constraint (plus a soft hostname spread). */
import type { V1PodSpec, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import { cloneSelector, type LabelSelector } from '../../kube/selector.js';
import { normalizedKey } from '../../scheduling/well-known.js';

export const ZONE_KEY = 'topology.kubernetes.io/zone';
export const HOSTNAME_KEY = 'kubernetes.io/hostname';

export type ZoneSpread = 'required' | 'preferred' | 'none';

function has(spec: V1PodSpec, key: string): boolean {
  // A spread over failure-domain.beta.kubernetes.io/zone is a zone spread: nodes carry both keys.
  return (spec.topologySpreadConstraints ?? []).some((c) => normalizedKey(c.topologyKey) === key);
}

export function compileSpread(
  spec: V1PodSpec,
  mode: ZoneSpread,
  selector: LabelSelector,
  withTemplateHash: boolean,
  notes: string[],
): void {
  if (mode === 'none') return;
  const base = (key: string, whenUnsatisfiable: string): V1TopologySpreadConstraint => {
    const c: V1TopologySpreadConstraint = {
      maxSkew: 1,
      topologyKey: key,
      whenUnsatisfiable,
      labelSelector: cloneSelector(selector),
    };
    if (withTemplateHash) c.matchLabelKeys = ['pod-template-hash'];
    return c;
  };
  const list = (spec.topologySpreadConstraints ??= []);
  if (!has(spec, ZONE_KEY)) {
    list.push(base(ZONE_KEY, mode === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway'));
    notes.push(`zone spread (${mode === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway'}, maxSkew 1)`);
  }
  if (!has(spec, HOSTNAME_KEY)) {
    list.push(base(HOSTNAME_KEY, 'ScheduleAnyway'));
    notes.push('hostname spread (ScheduleAnyway, maxSkew 1)');
  }
}
