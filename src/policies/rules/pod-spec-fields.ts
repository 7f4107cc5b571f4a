/**
 * A pod spec's fields as the API server validates them (k8s.io/kubernetes pkg/apis/core/validation,
 * ValidatePodSpec, after defaulting), for object-invalid: container names (a DNS-1123 label, unique
 * across containers and init containers), images, ports (name, number, protocol), env names, the
 * restartPolicy, nodeSelector, tolerations and topology spread constraints; then the restartPolicy
 * its controller allows (apps: Always; Jobs and CronJobs: OnFailure or Never). In the API server's
 * words and order. Pure, and cheap on the valid path: the webhook judges every pod template.
 */
import type { KubeObject } from '../../kube/objects.js';
import { fieldError as fe, inclusiveRange } from '../../kube/field-errors.js';
import { labelNameProblems, labelValueProblem, qualifiedNameProblem } from '../../kube/names.js';
import { podSpecOf } from './resource-quantities.js';
import { labelMapErrors, labelSelectorErrors, type SelectorFields } from './selector-fields.js';

type Port = { name?: unknown; containerPort?: unknown; hostPort?: unknown; protocol?: unknown };
type Container = { name?: unknown; image?: unknown; ports?: Port[]; env?: { name?: unknown }[] };
type Toleration = {
  key?: unknown;
  operator?: unknown;
  value?: unknown;
  effect?: unknown;
  tolerationSeconds?: unknown;
};
type Spread = {
  maxSkew?: unknown;
  topologyKey?: unknown;
  whenUnsatisfiable?: unknown;
  minDomains?: unknown;
  labelSelector?: SelectorFields;
};
export type PodSpecFields = {
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: unknown;
  nodeSelector?: Record<string, unknown>;
  tolerations?: Toleration[];
  topologySpreadConstraints?: Spread[];
};

const str = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : v === undefined || v === null
        ? ''
        : JSON.stringify(v);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const PORT_NAME = /^[-a-z0-9]+$/;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** IsValidPortName's reasons, in order. */
function portNameProblems(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('must be no more than 15 characters');
  if (!PORT_NAME.test(name))
    out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) out.push('must contain at least one letter (a-z)');
  if (name.includes('--')) out.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

function portErrors(ports: readonly Port[], path: string): string[] {
  const out: string[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    const name = str(p.name);
    if (name !== '') {
      const bad = portNameProblems(name);
      for (const m of bad) out.push(fe.invalid(`${at}.name`, name, m));
      if (bad.length === 0 && names.has(name)) out.push(fe.duplicate(`${at}.name`, name));
      names.add(name);
    }
    const port = num(p.containerPort);
    if (port === 0) out.push(fe.required(`${at}.containerPort`));
    else if (port < 1 || port > 65535)
      out.push(fe.invalid(`${at}.containerPort`, port, inclusiveRange(1, 65535)));
    const host = num(p.hostPort);
    if (host !== 0 && (host < 1 || host > 65535))
      out.push(fe.invalid(`${at}.hostPort`, host, inclusiveRange(1, 65535)));
    const protocol = str(p.protocol);
    if (protocol !== '' && !PROTOCOLS.includes(protocol))
      out.push(fe.notSupported(`${at}.protocol`, protocol, PROTOCOLS));
  });
  return out;
}

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, GA in 1.34): printable ASCII but '='. */
function envErrors(env: readonly { name?: unknown }[], path: string): string[] {
  const out: string[] = [];
  env.forEach((e, i) => {
    const name = str(e.name);
    if (name === '') out.push(fe.required(`${path}[${i}].name`));
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(name))
      out.push(
        fe.invalid(
          `${path}[${i}].name`,
          name,
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
      );
  });
  return out;
}

/** validateContainerCommon: name, image, ports, env. */
function containerErrors(c: Container, at: string): string[] {
  const out: string[] = [];
  const name = str(c.name);
  if (name === '') out.push(fe.required(`${at}.name`));
  else for (const m of labelNameProblems(name)) out.push(fe.invalid(`${at}.name`, name, m));
  if (str(c.image) === '') out.push(fe.required(`${at}.image`));
  if (c.ports) out.push(...portErrors(c.ports, `${at}.ports`));
  if (c.env) out.push(...envErrors(c.env, `${at}.env`));
  return out;
}

/** validateContainers and validateInitContainers: each container, and names unique across both. */
function containersErrors(spec: PodSpecFields, path: string): string[] {
  const out: string[] = [];
  const regular = spec.containers ?? [];
  if (regular.length === 0) out.push(fe.required(`${path}.containers`));
  const seen = new Set<string>();
  regular.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    out.push(...containerErrors(c, at));
    const name = str(c.name);
    if (seen.has(name)) out.push(fe.duplicate(`${at}.name`, name));
    seen.add(name);
  });
  (spec.initContainers ?? []).forEach((c, i) => {
    const at = `${path}.initContainers[${i}]`;
    out.push(...containerErrors(c, at));
    const name = str(c.name);
    if (seen.has(name)) out.push(fe.duplicate(`${at}.name`, name));
    else if (name !== '') seen.add(name);
  });
  return out;
}

const RESTART = ['Always', 'OnFailure', 'Never'];

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function tolerationErrors(t: Toleration, at: string): string[] {
  const out: string[] = [];
  const key = str(t.key);
  const op = str(t.operator);
  const value = str(t.value);
  const effect = str(t.effect);
  const bad = key === '' ? undefined : qualifiedNameProblem(key);
  if (bad !== undefined) out.push(fe.invalid(`${at}.key`, key, bad));
  if (key === '' && op !== 'Exists')
    out.push(
      fe.invalid(
        `${at}.operator`,
        op,
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ),
    );
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute')
    out.push(
      fe.invalid(`${at}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
    );
  if (op === '' || op === 'Equal') {
    const v = labelValueProblem(value);
    if (v !== undefined) out.push(fe.invalid(`${at}.operator`, value, v));
  } else if (op === 'Exists') {
    if (value !== '')
      out.push(fe.invalid(`${at}.operator`, value, "value must be empty when `operator` is 'Exists'"));
  } else out.push(fe.notSupported(`${at}.operator`, op, ['Equal', 'Exists']));
  if (effect !== '' && !EFFECTS.includes(effect)) out.push(fe.notSupported(`${at}.effect`, effect, EFFECTS));
  return out;
}

const ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];

function spreadErrors(list: readonly Spread[], path: string): string[] {
  const out: string[] = [];
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    const skew = num(c.maxSkew);
    if (skew <= 0) out.push(fe.invalid(`${at}.maxSkew`, skew, 'must be greater than zero'));
    const key = str(c.topologyKey);
    if (key === '') out.push(fe.required(`${at}.topologyKey`, 'can not be empty'));
    const action = str(c.whenUnsatisfiable);
    if (!ACTIONS.includes(action)) out.push(fe.notSupported(`${at}.whenUnsatisfiable`, action, ACTIONS));
    if (list.slice(i + 1).some((o) => str(o.topologyKey) === key && str(o.whenUnsatisfiable) === action))
      out.push(fe.duplicate(`${at}.{topologyKey, whenUnsatisfiable}`, `{${key}, ${action}}`));
    if (c.minDomains !== undefined && c.minDomains !== null) {
      const min = num(c.minDomains);
      if (min <= 0) out.push(fe.invalid(`${at}.minDomains`, min, 'must be greater than zero'));
      if (action !== 'DoNotSchedule')
        out.push(
          fe.invalid(
            `${at}.minDomains`,
            min,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`,
          ),
        );
    }
    out.push(...labelSelectorErrors(c.labelSelector, `${at}.labelSelector`));
  });
  return out;
}

/** ValidatePodSpec's errors for the fields above, in its order. */
export function podSpecErrors(spec: PodSpecFields, path: string): string[] {
  const out = containersErrors(spec, path);
  const restart = str(spec.restartPolicy);
  if (restart !== '' && !RESTART.includes(restart))
    out.push(fe.notSupported(`${path}.restartPolicy`, restart, RESTART));
  if (spec.nodeSelector) out.push(...labelMapErrors(spec.nodeSelector, `${path}.nodeSelector`));
  (spec.tolerations ?? []).forEach((t, i) => out.push(...tolerationErrors(t, `${path}.tolerations[${i}]`)));
  if (spec.topologySpreadConstraints)
    out.push(...spreadErrors(spec.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  return out;
}

const APPS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController']);

/** The restartPolicy the controller allows its template (defaulted to Always when unset). */
function controllerRestartErrors(kind: string, spec: PodSpecFields, path: string): string[] {
  const restart = str(spec.restartPolicy) || 'Always';
  const at = `${path}.restartPolicy`;
  if (APPS.has(kind)) return restart === 'Always' ? [] : [fe.notSupported(at, restart, ['Always'])];
  if (kind !== 'Job' && kind !== 'CronJob') return [];
  if (restart === 'Always') return [fe.required(at, 'valid values: "OnFailure", "Never"')];
  return restart === 'OnFailure' || restart === 'Never'
    ? []
    : [fe.notSupported(at, restart, ['OnFailure', 'Never'])];
}

/** The built-in kinds with a pod spec, by API group (CRDs such as NodePools have their own schema). */
const POD_KINDS: Readonly<Record<string, ReadonlySet<string>>> = {
  v1: new Set(['Pod', 'ReplicationController']),
  'apps/v1': new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']),
  'batch/v1': new Set(['Job', 'CronJob']),
};

/** The API server's field errors for the object's pod spec, if it has one. */
export function podFieldErrors(obj: KubeObject): string[] {
  if (POD_KINDS[obj.apiVersion ?? '']?.has(obj.kind ?? '') !== true) return [];
  const p = podSpecOf(obj);
  if (!p) return [];
  const spec = p.spec as PodSpecFields;
  return [...podSpecErrors(spec, p.path), ...controllerRestartErrors(obj.kind ?? '', spec, p.path)];
}
