/** What a person reads when a pod's requirements or tolerations rule a NodePool out. */
import type { PoolView } from './nodepool.js';
import type { Conflict } from './placement.js';
import { describeRequirement } from './requirements.js';
import { AUTO_PREFIX, COMPUTE_TYPE, describeVocabulary, KARPENTER_PREFIX, poolsLabel } from './vocabulary.js';

const prefixOf = (key: string): string => (key.startsWith(AUTO_PREFIX) ? AUTO_PREFIX : KARPENTER_PREFIX);

/** Built only when a rule reports it, not on every evaluation. */
export function conflictMessage(c: Conflict, pool: PoolView): string {
  const wants = `requires ${describeRequirement(c.podReq)} but NodePool ${pool.name}`;
  if (c.role.kind === 'foreign') {
    const instead = c.role.use === undefined ? '' : `; use ${c.role.use} on ${poolsLabel(pool.vocabulary)}`;
    return `${wants} is ${describeVocabulary(pool.vocabulary)}, whose nodes carry no ${prefixOf(c.podReq.key)}instance-* labels${instead}`;
  }
  if (c.podReq.key === COMPUTE_TYPE && !pool.autoMode)
    return `${wants} is ${describeVocabulary(pool.vocabulary)}, not EKS Auto Mode: its nodes carry no ${COMPUTE_TYPE} label`;
  if (c.podReq.key === COMPUTE_TYPE)
    return `${wants} is ${describeVocabulary(pool.vocabulary)}: its nodes carry ${COMPUTE_TYPE}=auto`;
  const has =
    c.poolReq === undefined ? `sets no ${c.podReq.key} label` : `allows ${describeRequirement(c.poolReq)}`;
  return `${wants} ${has}`;
}

export function taintMessage(pool: PoolView, taint: string): string {
  const what = pool.builtin ? ` (EKS Auto Mode's built-in pool for ${pool.builtin.purpose})` : '';
  return `does not tolerate NodePool ${pool.name}'s taint ${taint}${what}`;
}
