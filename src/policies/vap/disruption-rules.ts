/**
 * Berth's rules on how nodes may be disrupted that need only the object and params, in CEL: the same
 * findings, word for word, as drain-workload.ts (do-not-disrupt) and nodepool-review.ts (consolidation
 * churn, unbounded budgets) write. Pure data.
 */
import { DO_NOT_DISRUPT } from '../../kube/do-not-disrupt.js';
import type { Policies } from '../policies.js';
import type { FindingCel, Root } from './message-cel.js';
import { lit, text } from './message-cel.js';
import type { GeneratedRule } from './generated-rule.js';
import { NODEPOOLS, WORKLOAD_RESOURCES } from './resources.js';
import { WITH_TEMPLATE, annotations } from './workload-rules.js';
import { num } from '../rules/rule.js';

const ann = (r: Root, key: string): string => `${annotations(r)}[?${lit(key)}]`;

/** A Go duration as Karpenter's parseDoNotDisrupt accepts it (and time.ParseDuration reads). */
const GO_DURATION = '^([0-9]+(\\\\.[0-9]+)?(h|ms|m|s|us|µs|ns))+$';
const LONG_RUNNING = "['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Pod']";

/** `true`, `invalid`, `long`, or `ok`: what the annotation's value is, for its words. */
const variant = (r: Root): string => {
  const v = `${ann(r, DO_NOT_DISRUPT)}.orValue('')`;
  const valid = `(${v}.matches('${GO_DURATION}') && duration(string(${v})) > duration('0s'))`;
  return `(${v} == 'true' ? 'true' : !${valid} ? 'invalid' : duration(string(${v})) > duration(params.data.maxGraceMinutes + 'm') ? 'long' : 'ok')`;
};
// duration() of a value whose type is known only when it runs (a custom resource's field) has no
// overload in kube-apiserver: each argument is made a string first, so the overload is chosen when
// the policy is compiled.
const value = (r: Root): string => `${ann(r, DO_NOT_DISRUPT)}.orValue('')`;
const pick = (r: Root, forever: string, invalid: string, long: string): string =>
  `(${variant(r)} == 'true' ? ${forever} : ${variant(r)} == 'invalid' ? ${invalid} : ${long})`;

const q = (r: Root): string => `'"' + ${value(r)} + '"'`;
const own: FindingCel = {
  hit: (r) => `${r}.kind in ${LONG_RUNNING} && ${ann(r, DO_NOT_DISRUPT)}.hasValue() && ${variant(r)} != 'ok'`,
  what: (r) =>
    pick(
      r,
      lit(`annotation ${DO_NOT_DISRUPT}: "true" blocks consolidation and drain of its node for good`),
      `${lit(`annotation ${DO_NOT_DISRUPT}: `)} + ${q(r)} + ' is neither "true" nor a positive duration, so Karpenter ignores it and it protects nothing'`,
      `${lit(`annotation ${DO_NOT_DISRUPT}: `)} + ${q(r)} + " keeps each pod's node from consolidation and drain for " + ${value(r)} + ' after the pod starts, above the ' + params.data.maxGraceMinutes + 'm allowed'`,
    ),
  brief: (r) =>
    pick(
      r,
      lit(`do-not-disrupt: "true" blocks its node's drain for good`),
      `'do-not-disrupt: ' + ${q(r)} + ' is not a duration: Karpenter ignores it'`,
      `'do-not-disrupt: ' + ${q(r)} + ' is above the ' + params.data.maxGraceMinutes + 'm allowed'`,
    ),
  briefFix: (r) =>
    pick(
      r,
      lit('remove it, or set a duration ("30m")'),
      lit('set a duration such as "30m"'),
      `'set it to "' + params.data.maxGraceMinutes + 'm" or less, or remove it'`,
    ),
  plainBriefFix: (r) =>
    pick(
      r,
      lit('remove it, or set a duration'),
      lit('set a duration such as "30m"'),
      `'set it to "' + params.data.maxGraceMinutes + 'm" or less, or remove it'`,
    ),
  fix: (r) =>
    pick(
      r,
      `${lit(`remove ${DO_NOT_DISRUPT}, or bound it with a duration of at most `)} + params.data.maxGraceMinutes + 'm (e.g. "' + params.data.example + 'm") so each pod is protected only after it starts'`,
      lit('set it to a duration such as "30m", or remove it'),
      `${lit(`set ${DO_NOT_DISRUPT} to "`)} + params.data.maxGraceMinutes + 'm" or less, or remove it'`,
    ),
  plainFix: (r) =>
    pick(
      r,
      `${lit(`remove ${DO_NOT_DISRUPT}, or bound it with a duration of at most `)} + params.data.maxGraceMinutes + 'm so each pod is protected only after it starts'`,
      lit('set it to a duration such as "30m", or remove it'),
      `${lit(`set ${DO_NOT_DISRUPT} to "`)} + params.data.maxGraceMinutes + 'm" or less, or remove it'`,
    ),
};

/** karpenter.sh/do-not-evict: "true" and safe-to-evict: "false", as the rule reads them. */
const deprecated = (key: string, v: string): FindingCel => ({
  hit: (r) => `${r}.kind in ${LONG_RUNNING} && ${ann(r, key)}.orValue('') == ${lit(v)}`,
  what: text(`annotation ${key}: "${v}" blocks consolidation and drain of its node for good`),
  brief: text(`${key.slice(key.indexOf('/') + 1)}: "${v}" blocks its node's drain for good`),
  briefFix: text('remove the annotation'),
  fix: text(`remove ${key} (use it only on run-to-completion pods such as Jobs)`),
  plainFix: text(`remove ${key}`),
});

const disruption = (r: Root): string => `(has(${r}.spec.disruption) ? ${r}.spec.disruption : {})`;
const after = (r: Root): string => `${disruption(r)}[?'consolidateAfter']`;
/** consolidateAfter as written, or what Berth or Karpenter uses when it is unset. */
const seen = (r: Root, aside: boolean): string =>
  `(${after(r)}.hasValue() ? ${after(r)}.value() : params.data.unsetSeconds + 's'${aside ? " + ' (unset)'" : ''})`;

const churn: FindingCel = {
  hit: (r) =>
    `${disruption(r)}[?'consolidationPolicy'].orValue('WhenEmptyOrUnderutilized') == 'WhenEmptyOrUnderutilized' && ${after(r)}.orValue('') != 'Never' && (${after(r)}.hasValue() ? duration(string(${after(r)}.value())) : duration(params.data.unsetSeconds + 's')) < duration(params.data.minConsolidateAfterSeconds + 's')`,
  what: (r) =>
    `'consolidationPolicy WhenEmptyOrUnderutilized with consolidateAfter ' + ${seen(r, true)} + ', under ' + params.data.minConsolidateAfterSeconds + 's: a node is replaced as soon as a pod leaves it, and nodes churn with every scale-down'`,
  brief: (r) => `'consolidateAfter ' + ${seen(r, true)} + ' churns nodes'`,
  plainWhat: (r) =>
    `'consolidationPolicy WhenEmptyOrUnderutilized with consolidateAfter ' + ${seen(r, false)} + ', under ' + params.data.minConsolidateAfterSeconds + 's: a node is replaced as soon as a pod leaves it, and nodes churn with every scale-down'`,
  plainBrief: (r) => `'consolidateAfter ' + ${seen(r, false)} + ' churns nodes'`,
  fix: () =>
    `'set spec.disruption.consolidateAfter to at least ' + params.data.minConsolidateAfterSeconds + 's (e.g. 5m)'`,
  plainFix: () =>
    `'set spec.disruption.consolidateAfter to at least ' + params.data.minConsolidateAfterSeconds + 's'`,
  briefFix: () => `'consolidateAfter of ' + params.data.minConsolidateAfterSeconds + 's or more'`,
};

/** The `nodes` of the budgets always in force (Karpenter's 10% when none is written). */
const standing = (r: Root): string =>
  `${disruption(r)}[?'budgets'].orValue([{'nodes': '10%'}]).filter(b, !has(b.schedule) && has(b.nodes)).map(b, string(b.nodes))`;
const percent = (n: string): string => `int(${n}.substring(0, size(${n}) - 1))`;
const open = (r: Root): string => `string(${standing(r)}.map(n, ${percent('n')}).min())`;

const budgets: FindingCel = {
  hit: (r) =>
    `size(${standing(r)}) > 0 && ${standing(r)}.all(n, n.matches('^[0-9]+%$') && ${percent('n')} >= int(params.data.maxPercent))`,
  what: (r) =>
    `'its disruption budgets let ' + ${open(r)} + '% of its nodes be disrupted at once, at any time (at least ' + params.data.maxPercent + '%): a new AMI or a drifted class replaces them all together'`,
  plainWhat: (r) =>
    `'its disruption budgets let ' + ${open(r)} + '% of its nodes be disrupted at once, at any time: a new AMI or a drifted class replaces them all together'`,
  brief: (r) => `'budgets let ' + ${open(r)} + '% of nodes go at any time'`,
  fix: text(
    "lower spec.disruption.budgets[].nodes (Karpenter's default is 10%), and put wider budgets in a maintenance window (schedule and duration)",
  ),
  plainFix: text('lower spec.disruption.budgets[].nodes, and put wider budgets in a maintenance window'),
  briefFix: text('lower budgets[].nodes'),
};

/** What consolidateAfter is when unset: policies.yaml's under Berth's provisioner, Karpenter's 0s otherwise. */
const unsetSeconds = (policies: Policies): string =>
  String(policies.provisionerMode === 'berth' ? policies.consolidation.consolidateAfterSeconds : 0);

export const DISRUPTION_RULES: readonly GeneratedRule[] = [
  {
    id: 'do-not-disrupt',
    resources: WORKLOAD_RESOURCES,
    namespaced: true,
    shared: WITH_TEMPLATE,
    findings: [
      own,
      deprecated('karpenter.sh/do-not-evict', 'true'),
      deprecated('cluster-autoscaler.kubernetes.io/safe-to-evict', 'false'),
    ],
    params: (p) => {
      const max = num(p, 'maxGraceMinutes', 60);
      return { maxGraceMinutes: String(max), example: String(Math.min(30, max)) };
    },
  },
  {
    id: 'nodepool-consolidation-churn',
    resources: [NODEPOOLS],
    namespaced: false,
    shared: [],
    findings: [churn],
    params: (p, policies) => ({
      minConsolidateAfterSeconds: String(num(p, 'minConsolidateAfterSeconds', 30)),
      unsetSeconds: unsetSeconds(policies),
    }),
  },
  {
    id: 'nodepool-budget-unbounded',
    resources: [NODEPOOLS],
    namespaced: false,
    shared: [],
    findings: [budgets],
    params: (p) => ({ maxPercent: String(num(p, 'maxPercent', 50)) }),
  },
];
