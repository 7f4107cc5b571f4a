/**
 * The object as a ValidatingAdmissionPolicy sees it on CREATE: with the defaults kube-apiserver
 * applies before validating admission (k8s.io/kubernetes pkg/apis/core/v1/defaults.go,
 * apps/v1/defaults.go, batch/v1/defaults.go) for pods, pod templates and the workloads that hold
 * them, Services and Namespaces, and the metadata the registry fills (creationTimestamp, uid,
 * generation). Built on the object's CEL form (one copy, whole numbers as int), the defaults' numbers
 * as ints too. Pure: the clock and the uid are passed in.
 */
import type { KubeObject } from '../../kube/objects.js';
import { toCel } from '../../cel/values.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const setDefault = (o: Obj, key: string, value: unknown): void => {
  if (o[key] === undefined) o[key] = typeof value === 'number' ? BigInt(value) : value;
};
const objAt = (o: Obj, key: string): Obj => {
  const v = o[key];
  if (isObj(v)) return v;
  const fresh: Obj = {};
  o[key] = fresh;
  return fresh;
};

function pullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function probe(p: unknown): void {
  if (!isObj(p)) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  if (isObj(p.httpGet)) setDefault(p.httpGet, 'scheme', 'HTTP');
}

function container(c: unknown): void {
  if (!isObj(c)) return;
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', pullPolicy(c.image));
  setDefault(c, 'resources', {});
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObj(p)) setDefault(p, 'protocol', 'TCP');
  for (const e of Array.isArray(c.env) ? c.env : [])
    if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef))
      setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  probe(c.livenessProbe);
  probe(c.readinessProbe);
  probe(c.startupProbe);
}

/** SetDefaults_Pod: a container's requests default to its limits (pods only, not templates). */
function requestsFromLimits(c: unknown): void {
  const r = isObj(c) ? c.resources : undefined;
  if (!isObj(r) || !isObj(r.limits)) return;
  const requests = objAt(r, 'requests');
  for (const [k, v] of Object.entries(r.limits)) setDefault(requests, k, v);
}

function volume(v: unknown): void {
  if (!isObj(v)) return;
  // SetDefaults_Volume: a volume with no source is an emptyDir.
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  for (const key of ['configMap', 'secret', 'projected', 'downwardAPI'])
    if (isObj(v[key])) setDefault(v[key], 'defaultMode', 420);
  if (isObj(v.hostPath)) setDefault(v.hostPath, 'type', '');
}

export function podSpecDefaults(spec: Obj): void {
  // DeprecatedServiceAccount is kept in step with serviceAccountName, which wins.
  if ((spec.serviceAccountName ?? '') === '' && typeof spec.serviceAccount === 'string')
    spec.serviceAccountName = spec.serviceAccount;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '')
    spec.serviceAccount = spec.serviceAccountName;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers', 'ephemeralContainers'])
    for (const c of Array.isArray(spec[key]) ? spec[key] : []) container(c);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) volume(v);
}

function template(spec: Obj): void {
  const t = spec.template;
  if (isObj(t)) podSpecDefaults(objAt(t, 'spec'));
}

const WORKLOAD_DEFAULTS: Record<string, (spec: Obj) => void> = {
  Deployment: (s) => {
    setDefault(s, 'replicas', 1);
    setDefault(s, 'revisionHistoryLimit', 10);
    setDefault(s, 'progressDeadlineSeconds', 600);
    const strategy = objAt(s, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = objAt(strategy, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', '25%');
      setDefault(ru, 'maxSurge', '25%');
    }
  },
  StatefulSet: (s) => {
    setDefault(s, 'replicas', 1);
    setDefault(s, 'podManagementPolicy', 'OrderedReady');
    setDefault(s, 'revisionHistoryLimit', 10);
    setDefault(s, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
    const strategy = objAt(s, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') setDefault(objAt(strategy, 'rollingUpdate'), 'partition', 0);
  },
  DaemonSet: (s) => {
    setDefault(s, 'revisionHistoryLimit', 10);
    const strategy = objAt(s, 'updateStrategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = objAt(strategy, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', 1);
      setDefault(ru, 'maxSurge', 0);
    }
  },
  ReplicaSet: (s) => {
    setDefault(s, 'replicas', 1);
  },
  Job: (s) => {
    setDefault(s, 'completions', 1);
    setDefault(s, 'parallelism', 1);
    setDefault(s, 'backoffLimit', 6);
    setDefault(s, 'completionMode', 'NonIndexed');
    setDefault(s, 'suspend', false);
    setDefault(s, 'podReplacementPolicy', 'TerminatingOrFailed');
    setDefault(s, 'manualSelector', false);
  },
};

const GENERATION = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
]);

const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Whether a container already mounts the token path (an existing Pod, or one that mounts its own). */
function mountsToken(spec: Obj): boolean {
  for (const key of ['containers', 'initContainers'])
    for (const c of Array.isArray(spec[key]) ? (spec[key] as Obj[]) : [])
      if (Array.isArray(c.volumeMounts) && (c.volumeMounts as Obj[]).some((m) => m.mountPath === SA_MOUNT))
        return true;
  return false;
}

/**
 * What the API server's mutating admission plugins add to a Pod before validating admission:
 * ServiceAccount (the service account and its token volume, mounted in every container; the
 * volume's random suffix is Berth's own), Priority, DefaultTolerationSeconds.
 */
function podAdmissionPlugins(spec: Obj, uid: string): void {
  setDefault(spec, 'serviceAccountName', 'default');
  spec.serviceAccount = spec.serviceAccountName;
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = Array.isArray(spec.tolerations) ? (spec.tolerations as Obj[]) : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'])
    if (!tolerations.some((t) => t.key === key && (t.effect === 'NoExecute' || t.effect === undefined)))
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300n });
  spec.tolerations = tolerations;
  if (spec.automountServiceAccountToken === false || mountsToken(spec)) return;
  const name = `kube-api-access-${uid
    .replace(/[^a-z0-9]/g, '')
    .slice(-5)
    .padStart(5, 'x')}`;
  const volumes = Array.isArray(spec.volumes) ? (spec.volumes as Obj[]) : [];
  volumes.push({
    name,
    projected: {
      defaultMode: 420n,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607n, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  });
  spec.volumes = volumes;
  for (const key of ['containers', 'initContainers'])
    for (const c of Array.isArray(spec[key]) ? (spec[key] as Obj[]) : []) {
      const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : [];
      if (!mounts.some((m) => m.mountPath === SA_MOUNT))
        mounts.push({ name, readOnly: true, mountPath: SA_MOUNT });
      c.volumeMounts = mounts;
    }
}

function podDefaults(spec: Obj, uid: string): void {
  podSpecDefaults(spec);
  setDefault(spec, 'enableServiceLinks', true);
  for (const key of ['containers', 'initContainers'])
    for (const c of Array.isArray(spec[key]) ? spec[key] : []) requestsFromLimits(c);
  podAdmissionPlugins(spec, uid);
}

function cronJobDefaults(spec: Obj): void {
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jt = spec.jobTemplate;
  if (isObj(jt) && isObj(jt.spec)) template(jt.spec);
}

function serviceDefaults(spec: Obj): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isObj(p)) continue;
    setDefault(p, 'protocol', 'TCP');
    setDefault(p, 'targetPort', p.port);
  }
}

const SPEC_DEFAULTS: Record<string, (spec: Obj, uid: string) => void> = {
  Pod: podDefaults,
  CronJob: cronJobDefaults,
  Service: serviceDefaults,
  ...Object.fromEntries(
    Object.entries(WORKLOAD_DEFAULTS).map(([kind, f]) => [
      kind,
      (spec: Obj) => {
        f(spec);
        template(spec);
      },
    ]),
  ),
};

/** `obj` as a policy sees it on CREATE: its CEL form with the API server's defaults. */
export function celObjectWithDefaults(obj: KubeObject, now: Date, uid: string): Obj {
  const out = toCel(obj) as Obj & KubeObject;
  const meta = objAt(out, 'metadata');
  const kind = obj.kind ?? '';
  setDefault(meta, 'creationTimestamp', now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  setDefault(meta, 'uid', uid);
  if (GENERATION.has(kind)) setDefault(meta, 'generation', 1);
  if (kind === 'Namespace') objAt(meta, 'labels')['kubernetes.io/metadata.name'] = meta.name;
  const defaults = SPEC_DEFAULTS[kind];
  if (defaults && isObj(out.spec)) defaults(out.spec, uid);
  return out;
}
