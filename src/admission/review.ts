/**
 * AdmissionReview `admission.k8s.io/v1`: the shape the API server sends and expects back. A body is
 * parsed into a request or into the reason it cannot be answered (a 4xx), never into an exception.
 */
import { isObject, type KubeObject } from '../kube/objects.js';
import { shapeProblem } from './object-shape.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: readonly string[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
  userInfo?: { username?: string };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  patchType?: 'JSONPatch';
  patch?: string;
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewOut {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export type ParsedReview =
  { ok: true; request: AdmissionRequest } | { ok: false; status: number; reason: string };

function bad(reason: string): ParsedReview {
  return { ok: false, status: 400, reason };
}

function str(v: unknown): v is string {
  return typeof v === 'string';
}

function gvkOf(v: unknown): GroupVersionKind | undefined {
  if (!isObject(v) || !str(v.group) || !str(v.version) || !str(v.kind) || v.kind === '') return undefined;
  return { group: v.group, version: v.version, kind: v.kind };
}

function objectOrNull(v: unknown): KubeObject | null | undefined | false {
  if (v === undefined || v === null) return v;
  return isObject(v) ? v : false;
}

function checkOptional(r: Record<string, unknown>): string | undefined {
  for (const key of ['name', 'namespace', 'subResource'] as const) {
    if (r[key] !== undefined && !str(r[key])) return `request.${key} must be a string`;
  }
  if (r.dryRun !== undefined && typeof r.dryRun !== 'boolean') return 'request.dryRun must be a boolean';
  if (objectOrNull(r.object) === false)
    return 'request.object must be an object with object metadata and spec';
  if (objectOrNull(r.oldObject) === false)
    return 'request.oldObject must be an object with object metadata and spec';
  return undefined;
}

/** Checks the envelope: apiVersion, kind, and the request fields a decision reads. */
export function parseReview(body: unknown): ParsedReview {
  if (!isObject(body)) return bad('the body is not a JSON object');
  if (body.apiVersion !== 'admission.k8s.io/v1')
    return bad(`apiVersion must be admission.k8s.io/v1, got ${JSON.stringify(body.apiVersion)}`);
  if (body.kind !== 'AdmissionReview')
    return bad(`kind must be AdmissionReview, got ${JSON.stringify(body.kind)}`);
  const r = body.request;
  if (!isObject(r)) return bad('request is missing');
  if (!str(r.uid) || r.uid === '') return bad('request.uid is missing');
  const kind = gvkOf(r.kind);
  if (!kind) return bad('request.kind must be {group, version, kind}');
  if (!str(r.operation) || !OPERATIONS.includes(r.operation))
    return bad(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  const problem =
    checkOptional(r) ??
    (isObject(r.object) ? shapeProblem(kind.kind, r.object, 'object') : undefined) ??
    (isObject(r.oldObject) ? shapeProblem(kind.kind, r.oldObject, 'oldObject') : undefined);
  if (problem) return bad(problem);
  const request = { ...r, kind } as unknown as AdmissionRequest;
  return { ok: true, request };
}

export function reviewOf(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
