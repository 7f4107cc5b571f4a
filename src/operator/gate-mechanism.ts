/**
 * How new pods are gated in cluster mode (`berth serve --scheduling-gate`): by the API server's own
 * MutatingAdmissionPolicy where it serves admissionregistration.k8s.io/v1 mutatingadmissionpolicies
 * (Kubernetes 1.36+; pod creations make no call to Berth), else by the gate webhook (/gate). `auto`
 * asks the API server once at start; `policy` on a cluster without the API is bad input.
 */
import {
  AdmissionregistrationV1Api,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObjectApi,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GATE_POLICY, gatePolicyBinding } from '../admission/gate-policy.js';
import { statusOf } from '../kube/client.js';
import type { KubeObject } from '../kube/objects.js';
import { PolicyGate } from './duties/policy-gate.js';

export type GateMechanism = 'policy' | 'webhook';
export const GATE_MECHANISMS = ['auto', 'policy', 'webhook'] as const;

/** `--scheduling-gate`: auto (default), policy or webhook. */
export function gateFlag(v: string | undefined): (typeof GATE_MECHANISMS)[number] {
  const f = v ?? 'auto';
  if (!(GATE_MECHANISMS as readonly string[]).includes(f))
    throw new Error(`--scheduling-gate must be auto, policy or webhook, got ${f}`);
  return f as (typeof GATE_MECHANISMS)[number];
}

/** Whether the API server serves MutatingAdmissionPolicy v1 (its discovery document says so). */
export async function servesGatePolicy(kc: KubeConfig): Promise<boolean> {
  try {
    const list = await kc.makeApiClient(AdmissionregistrationV1Api).getAPIResources();
    return list.resources.some((r) => r.name === 'mutatingadmissionpolicies');
  } catch (e) {
    if (statusOf(e) === 404) return false;
    throw e;
  }
}

const POLICY_REF = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingAdmissionPolicy',
  metadata: { name: GATE_POLICY },
};

/** The installed policy's uid, or undefined when it is not installed (or Berth may not read it). */
export async function installedGatePolicy(api: KubernetesObjectApi): Promise<string | undefined> {
  try {
    return (await api.read(POLICY_REF)).metadata?.uid;
  } catch (e) {
    if (statusOf(e) === 404 || statusOf(e) === 403) return undefined;
    throw e;
  }
}

/** What the API server offers: MutatingAdmissionPolicy v1 served, and Berth's policy installed. */
export interface GatePolicyOffer {
  served: boolean;
  installed: boolean;
}

/** The mechanism `berth serve` gates with, from its flag and what the API server offers. */
export async function gateMechanism(
  flag: string | undefined,
  offer: () => Promise<GatePolicyOffer>,
  logger: Logger,
): Promise<GateMechanism> {
  const f = gateFlag(flag);
  if (f === 'webhook') return 'webhook';
  const { served, installed } = await offer();
  if (f === 'policy' && !(served && installed))
    throw new Error(
      served
        ? `--scheduling-gate policy: MutatingAdmissionPolicy ${GATE_POLICY} is not installed (kubectl apply -k deploy/gate-policy, or the chart on Kubernetes 1.36+); use auto or webhook`
        : '--scheduling-gate policy: this API server does not serve admissionregistration.k8s.io/v1 MutatingAdmissionPolicy (Kubernetes 1.36+); use auto or webhook',
    );
  const by: GateMechanism = served && installed ? 'policy' : 'webhook';
  if (by === 'policy')
    logger.info({ schedulingGate: by }, `scheduling gate: MutatingAdmissionPolicy ${GATE_POLICY}`);
  else if (served)
    logger.info(
      { schedulingGate: by },
      `scheduling gate: webhook, as MutatingAdmissionPolicy ${GATE_POLICY} is not installed (kubectl apply -k deploy/gate-policy)`,
    );
  else logger.info({ schedulingGate: by }, 'scheduling gate: webhook (no MutatingAdmissionPolicy v1 here)');
  return by;
}

/** What `berth serve` asks the API server at start. */
export async function clusterGateOffer(kc: KubeConfig, api: KubernetesObjectApi): Promise<GatePolicyOffer> {
  const served = await servesGatePolicy(kc);
  return { served, installed: served && (await installedGatePolicy(api)) !== undefined };
}

export interface ClusterPolicyGateOptions {
  namespace: string;
  service?: string | undefined;
}

/** The policy gate as `berth serve` keeps it: the binding applied with server-side apply (field manager berth). */
export function clusterPolicyGate(
  api: KubernetesObjectApi,
  o: ClusterPolicyGateOptions,
  logger: Logger,
): PolicyGate {
  return new PolicyGate({
    store: {
      apply: async (obj: KubeObject) => {
        await api.patch(obj, undefined, undefined, 'berth', true, PatchStrategy.ServerSideApply);
      },
      remove: async (obj: KubeObject) => {
        await api.delete(obj).catch((e: unknown) => {
          if (statusOf(e) !== 404) throw e;
        });
      },
    },
    // Owned by the policy: uninstalling it removes the binding. The policy gone, the binding is
    // applied without an owner (the API server ignores a binding whose policy is not there).
    binding: async () =>
      gatePolicyBinding({ namespace: o.namespace, service: o.service }, await installedGatePolicy(api)),
    logger,
  });
}
