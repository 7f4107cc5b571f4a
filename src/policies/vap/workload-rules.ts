/**
 * Berth's workload rules that need only the object, its namespace and params, in CEL: the same
 * findings, word for word, as drain-workload.ts and contract.ts write. Each expression is over a root
 * (`object` or `oldObject`); `tmpl` is the pod (or pod template) the object runs. Pure data.
 */
import type { Cel, FindingCel, Root } from './message-cel.js';
import { lit, text } from './message-cel.js';
import type { GeneratedRule } from './generated-rule.js';
import { WORKLOAD_RESOURCES, PODS } from './resources.js';
import { num } from '../rules/rule.js';

const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const SAFE_LOCAL_VOLUMES = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

/** The pod template variable of a root. */
export const tmpl = (root: Root): string => `variables.${root}Tmpl`;

/** `tmpl`: the pod itself, a CronJob's job's template, or the workload's template. */
export const TEMPLATE = (root: Root): string =>
  `${root}.kind == 'Pod' ? ${root} : ${root}.kind == 'CronJob' ? ${root}.spec.jobTemplate.spec.template : ${root}.spec.template`;

/** The pod template's annotations (a map, empty when it has none). */
export const annotations = (root: Root): string =>
  `(has(${tmpl(root)}.metadata) && has(${tmpl(root)}.metadata.annotations) ? ${tmpl(root)}.metadata.annotations : {})`;

const owners = (root: Root): string =>
  `(has(${root}.metadata.ownerReferences) ? ${root}.metadata.ownerReferences : [])`;

const nakedPod: FindingCel = {
  hit: (r) => `!${owners(r)}.exists(o, has(o.controller) && o.controller)`,
  what: (r) =>
    `'the pod has no controller' + (size(${owners(r)}) > 0 ? ' (its ownerReferences name no controller: true)' : '') + '; kubectl drain refuses it and nothing recreates it'`,
  plainWhat: text('the pod has no controller; kubectl drain refuses it and nothing recreates it'),
  brief: text('no controller: drain refuses it, nothing recreates it'),
  fix: text('run it from a Deployment, StatefulSet or Job'),
};

const gracePeriod: FindingCel = {
  hit: (r) =>
    `has(${tmpl(r)}.spec.terminationGracePeriodSeconds) && ${tmpl(r)}.spec.terminationGracePeriodSeconds > int(params.data.maxSeconds)`,
  what: (r) =>
    `'terminationGracePeriodSeconds ' + string(${tmpl(r)}.spec.terminationGracePeriodSeconds) + ' exceeds the maximum of ' + params.data.maxSeconds + 's'`,
  fix: () => `'set terminationGracePeriodSeconds to ' + params.data.maxSeconds + ' or less'`,
  briefFix: () => `'lower it to ' + params.data.maxSeconds + ' or less'`,
};

/** requiredLabels as the params carry it: comma-separated, in policies.yaml's order. */
const missingLabels = (r: Root): string =>
  `(params.data.labels == '' ? [] : params.data.labels.split(',')).filter(k, !has(${r}.metadata.labels) || !(k in ${r}.metadata.labels))`;

const requiredLabels: FindingCel = {
  hit: (r) => `size(${missingLabels(r)}) > 0`,
  what: (r) => `'metadata.labels lacks ' + ${missingLabels(r)}.join(', ')`,
  fix: (r) => `'add the labels ' + ${missingLabels(r)}.join(', ')`,
};

/** The volumes that keep data on the node, as `name (source)`, unless marked safe to evict. */
const localVolumes = (r: Root, described: boolean): string => {
  const safe = `${annotations(r)}[?${lit(SAFE_LOCAL_VOLUMES)}].orValue('').split(',').map(s, s.trim())`;
  const local = `(has(${tmpl(r)}.spec.volumes) ? ${tmpl(r)}.spec.volumes : []).filter(v, !(v.name in ${safe}) && (has(v.hostPath) || (has(v.emptyDir) && (!has(v.emptyDir.medium) || v.emptyDir.medium != 'Memory'))))`;
  const label = `has(v.hostPath) ? ' (hostPath)' : ' (emptyDir)'`;
  return described ? `${local}.map(v, v.name + (${label}))` : `${local}.map(v, v.name)`;
};

const notSafe = (r: Root): string => `${annotations(r)}[?${lit(SAFE_TO_EVICT)}].orValue('') != 'true'`;

const localStorage: FindingCel = {
  hit: (r) => `${r}.kind != 'DaemonSet' && ${notSafe(r)} && size(${localVolumes(r, false)}) > 0`,
  what: (r) =>
    `'volumes ' + ${localVolumes(r, true)}.join(', ') + ' keep data on the node; draining it loses them'`,
  plainWhat: (r) =>
    `'volumes ' + ${localVolumes(r, false)}.join(', ') + ' keep data on the node; draining it loses them'`,
  brief: (r) => `'volumes ' + ${localVolumes(r, false)}.join(', ') + ' lose their data on drain'`,
  briefFix: text('use a PersistentVolumeClaim or mark them safe to evict'),
  fix: (r) =>
    `'move the data to a PersistentVolumeClaim, or annotate the pod template ${SAFE_LOCAL_VOLUMES}: "' + ${localVolumes(r, false)}.join(',') + '"'`,
};

/** The shared variable `<root>Tmpl` that `tmpl` reads. */
export const WITH_TEMPLATE: readonly { name: string; expression: Cel }[] = [
  { name: 'Tmpl', expression: TEMPLATE },
];

export const WORKLOAD_RULES: readonly GeneratedRule[] = [
  {
    id: 'naked-pod',
    resources: [PODS],
    namespaced: true,
    shared: WITH_TEMPLATE,
    findings: [nakedPod],
    params: () => ({}),
  },
  {
    id: 'local-storage',
    resources: WORKLOAD_RESOURCES,
    namespaced: true,
    shared: WITH_TEMPLATE,
    findings: [localStorage],
    params: () => ({}),
  },
  {
    id: 'grace-period',
    resources: WORKLOAD_RESOURCES,
    namespaced: true,
    shared: WITH_TEMPLATE,
    findings: [gracePeriod],
    params: (p) => ({ maxSeconds: String(num(p, 'maxSeconds', 300)) }),
  },
  {
    id: 'required-labels',
    resources: WORKLOAD_RESOURCES,
    namespaced: true,
    shared: WITH_TEMPLATE,
    findings: [requiredLabels],
    params: (_p, policies) => ({ labels: policies.requiredLabels.join(',') }),
  },
];
