/**
 * The two admission decisions, as pure functions of (request, cluster view, policies, today): the
 * mutating one compiles a workload against its profile and answers with the JSON Patch from the
 * original to the compiled object; the validating one runs the engine. The webhook only translates.
 */
import type { NativePolicySet } from '../policies/native/policy-set.js';
import { withNativeFindings } from '../policies/native/verdicts.js';
import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../kube/objects.js';
import { isCompiledKind } from '../kube/workload.js';
import { compile, profileNameFor } from '../policies/compile/compile.js';
import { generatePdb } from '../policies/compile/pdb.js';
import { denialMessage, evaluate, type Verdict } from '../policies/engine.js';
import type { Policies } from '../policies/policies.js';
import type { ClusterView } from '../policies/view.js';
import { PendingPdbView } from './overlay.js';
import { ratchet } from './ratchet.js';
import { delegatedRules } from '../policies/vap/generate.js';
import { withoutServerDefaults } from './defaults.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import { subjectOf } from './subject.js';

export interface AdmissionContext {
  view: ClusterView;
  policies: Policies;
  /** Today as YYYY-MM-DD (exemption expiry); the caller's clock. */
  today: string;
  /** Whether /gate gates new pods: a Berth provisioner leads and announces scheduling gates on. */
  schedulingGates?: boolean;
  /** The cluster's ValidatingAdmissionPolicies, for the background scan of existing objects. */
  native?: NativePolicySet;
}

export interface Decision {
  response: AdmissionResponse;
  /** The engine's verdict when the engine ran (validate), for logs, metrics and Events. */
  verdict?: Verdict;
  /** Why nothing was evaluated, when nothing was. */
  skipped?: string;
  /** JSON Patch operations (mutate). */
  patchOps?: number;
}

function allow(uid: string, skipped: string): Decision {
  return { response: { uid, allowed: true }, skipped };
}

/** Allowed, with the JSON patch `ops` (mutate's and the scheduling gate's answers). */
export function patched(uid: string, ops: readonly object[]): Decision {
  return {
    response: {
      uid,
      allowed: true,
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(ops)).toString('base64'),
    },
    patchOps: ops.length,
  };
}

export function mutate(req: AdmissionRequest, ctx: AdmissionContext): Decision {
  const subject = subjectOf(req, ctx.view);
  if (!subject.ok) return allow(req.uid, subject.skipped);
  if (req.subResource !== undefined) return allow(req.uid, 'subresources are not mutated');
  const { object, namespace } = subject;
  if (!isCompiledKind(object.kind)) return allow(req.uid, `${object.kind ?? 'this kind'} is not compiled`);
  if (ctx.policies.exemptNamespaces.has(namespace)) return allow(req.uid, `namespace ${namespace} is exempt`);
  const name = profileNameFor(object, ctx.policies, namespace);
  if (name === undefined) return allow(req.uid, 'no profile');
  const profile = ctx.view.profile(namespace, name);
  if (!profile) return allow(req.uid, `profile ${namespace}/${name} not found`);
  const input = withoutServerDefaults(object, req.operation);
  const compiled = compile(input, profile, ctx.policies, ctx.view.nodePools);
  const ops = jsonpatch.compare(object, compiled.object);
  if (ops.length === 0) return { response: { uid: req.uid, allowed: true }, patchOps: 0 };
  return patched(req.uid, ops);
}

/** The view with the PDB the profile controller will create for this workload, if it has one. */
function viewFor(object: KubeObject, namespace: string, ctx: AdmissionContext): ClusterView {
  if (!isCompiledKind(object.kind)) return ctx.view;
  const name = profileNameFor(object, ctx.policies, namespace);
  const profile = name === undefined ? undefined : ctx.view.profile(namespace, name);
  if (!profile) return ctx.view;
  // The PDB depends only on the workload's name and selector, which compilation never changes.
  const pdb = generatePdb(object, profile);
  return pdb ? new PendingPdbView(ctx.view, pdb) : ctx.view;
}

/**
 * An object already in the cluster, judged as the validating webhook would judge its creation now
 * (the background scan's question: would it be denied if applied again?).
 */
export function judgeExisting(object: KubeObject, namespace: string, ctx: AdmissionContext): Verdict {
  const verdict = evaluate(object, viewFor(object, namespace, ctx), ctx.policies, {
    today: ctx.today,
    defaultNamespace: namespace,
  });
  if (!ctx.native || ctx.native.size === 0) return verdict;
  // Existing objects are judged as if created again: the API server judges only new writes.
  return withNativeFindings(verdict, object, ctx.native, {
    defaultNamespace: namespace,
    now: new Date(`${ctx.today}T00:00:00Z`),
    uid: () => object.metadata?.uid ?? '',
  });
}

function responseOf(uid: string, v: Verdict): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: v.allowed };
  if (!v.allowed) response.status = { code: 403, reason: 'Forbidden', message: denialMessage(v) };
  if (v.warnings.length > 0) response.warnings = v.warnings;
  const audited = v.violations.filter((x) => x.mode === 'audit');
  if (audited.length > 0)
    response.auditAnnotations = { violations: audited.map((x) => x.message).join('\n') };
  return response;
}

export function validate(req: AdmissionRequest, ctx: AdmissionContext): Decision {
  const subject = subjectOf(req, ctx.view);
  if (!subject.ok) return allow(req.uid, subject.skipped);
  const { object, oldObject, namespace } = subject;
  // Rules the API server judges through generated policies are not said twice (nativePolicies.rules).
  const opts = {
    today: ctx.today,
    defaultNamespace: namespace,
    oldObject,
    skipRules: delegatedRules(ctx.policies),
  };
  const verdict = evaluate(object, viewFor(object, namespace, ctx), ctx.policies, opts);
  if (verdict.skipped !== undefined)
    return { response: { uid: req.uid, allowed: true }, skipped: verdict.skipped, verdict };
  const final =
    oldObject && !verdict.allowed
      ? ratchet(verdict, evaluate(oldObject, viewFor(oldObject, namespace, ctx), ctx.policies, opts))
      : verdict;
  return { response: responseOf(req.uid, final), verdict: final };
}
