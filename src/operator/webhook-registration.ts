/**
 * Berth registers its own webhook configurations, once a replica answers: nothing Fail-closed is in
 * the cluster while no replica could answer it (an install still starting, `helm install --wait`
 * waiting on the Deployment). What to register is declared beside the Deployment (the berth-webhooks
 * ConfigMap, mounted as --webhooks); each replica applies it with server-side apply as field manager
 * `berth`, with
 * - the CA bundle of the serving certificate (serving-cert.ts), again whenever it changes;
 * - an owner reference to Berth's ClusterRole (--webhook-owner), so that `helm uninstall` or
 *   `kubectl delete -k` removes the configurations through the garbage collector, with no hook;
 * - the scheduling gate (the webhook served at /gate) only in provisioner.mode berth, where a leader
 *   lifts it;
 * - with --webhook-host, each webhook's clientConfig a URL on that host (Berth off the cluster's
 *   network: a laptop, a test's control plane) instead of the Service.
 * Applied at start and when the bundle or the mode changes, never on a timer, so an operator's
 * emergency edit (failurePolicy Ignore) holds until a replica restarts.
 */
import { readFileSync } from 'node:fs';
import { PatchStrategy, type KubernetesObject, type KubernetesObjectApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import { statusOf } from '../kube/client.js';

export const WEBHOOK_KINDS: ReadonlySet<string> = new Set([
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
]);

interface ClientConfig {
  service?: { name?: string; namespace?: string; path?: string; port?: number };
  url?: string;
  caBundle?: string;
}
export interface WebhookConfiguration extends KubernetesObject {
  webhooks?: ({ name: string; clientConfig?: ClientConfig } & Record<string, unknown>)[];
}

export interface RegistrationTarget {
  /** PEM; absent: left to another injector (cert-manager's cainjector). */
  caBundle?: string | undefined;
  owner?: { name: string; uid: string } | undefined;
  /** Off the cluster's network: https://host:port of the main server and of the gate's. */
  urls?: { main: string; gate: string } | undefined;
  /** provisioner.mode: the gate is registered in mode berth only. */
  mode: string;
  /** By `policy` (a MutatingAdmissionPolicy gates new pods), the gate webhook is not registered. */
  gateBy?: 'policy' | 'webhook' | undefined;
  /** Berth's namespace: where each webhook's Service is (the manifest's may be a default). */
  namespace?: string | undefined;
}

const GATE_PATH = '/gate';
const pathOf = (c: ClientConfig | undefined): string =>
  c?.service?.path ?? (c?.url !== undefined ? new URL(c.url).pathname : '');

/** The configurations as they are applied: bundle, owner, URLs and the gate per mode. Pure. */
export function configurationsToRegister(
  declared: readonly WebhookConfiguration[],
  t: RegistrationTarget,
): WebhookConfiguration[] {
  const caBundle = t.caBundle === undefined ? undefined : Buffer.from(t.caBundle).toString('base64');
  return declared.flatMap((cfg): WebhookConfiguration[] => {
    const kind = cfg.kind;
    if (kind === undefined || !WEBHOOK_KINDS.has(kind)) return [];
    const webhooks = (cfg.webhooks ?? [])
      .filter((h) => (t.mode === 'berth' && t.gateBy !== 'policy') || pathOf(h.clientConfig) !== GATE_PATH)
      .map((h) => {
        const path = pathOf(h.clientConfig);
        const svc = h.clientConfig?.service;
        const base: ClientConfig = t.urls
          ? { url: `${path === GATE_PATH ? t.urls.gate : t.urls.main}${path}` }
          : svc && t.namespace !== undefined
            ? { ...h.clientConfig, service: { ...svc, namespace: t.namespace } }
            : { ...h.clientConfig };
        delete base.caBundle;
        return { ...h, clientConfig: caBundle === undefined ? base : { ...base, caBundle } };
      });
    if (webhooks.length === 0) return [];
    const metadata = structuredClone(cfg.metadata ?? {});
    metadata.name ??= 'berth';
    if (t.owner)
      metadata.ownerReferences = [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          name: t.owner.name,
          uid: t.owner.uid,
        },
      ];
    return [{ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata, webhooks }];
  });
}

/** The webhook configurations of a manifest file (the berth-webhooks ConfigMap's webhooks.yaml). */
export function readDeclared(file: string): WebhookConfiguration[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: WebhookConfiguration[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message ?? 'not YAML'}`);
    const o = d.toJS() as WebhookConfiguration | null;
    if (o !== null && WEBHOOK_KINDS.has(o.kind ?? '')) out.push(o);
  }
  if (out.length === 0)
    throw new Error(`${file}: no MutatingWebhookConfiguration or ValidatingWebhookConfiguration`);
  return out;
}

export interface RegistrarDeps {
  api: KubernetesObjectApi;
  /** --webhooks: the declared configurations. */
  file: string;
  /** --webhook-owner: the ClusterRole whose deletion removes them. */
  owner?: string | undefined;
  urls?: RegistrationTarget['urls'];
  namespace?: string | undefined;
  gateBy?: RegistrationTarget['gateBy'];
  logger: Logger;
}

export class WebhookRegistrar {
  constructor(private readonly d: RegistrarDeps) {}

  private async ownerRef(): Promise<RegistrationTarget['owner']> {
    if (this.d.owner === undefined) return undefined;
    const ref = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: this.d.owner },
    };
    try {
      const role = await this.d.api.read(ref);
      return { name: this.d.owner, uid: role.metadata?.uid ?? '' };
    } catch (e) {
      if (statusOf(e) === 404)
        throw new Error(
          `ClusterRole ${this.d.owner} (--webhook-owner) is not there: Berth is being uninstalled, or --webhook-owner names another; nothing registered`,
          { cause: e },
        );
      throw e;
    }
  }

  /** Applies every configuration; returns a line for each. */
  async register(caBundle: string | undefined, mode: string): Promise<string[]> {
    const owner = await this.ownerRef();
    const objs = configurationsToRegister(readDeclared(this.d.file), {
      caBundle,
      owner,
      urls: this.d.urls,
      mode,
      namespace: this.d.namespace,
      gateBy: this.d.gateBy,
    });
    const lines: string[] = [];
    for (const o of objs) {
      await this.d.api.patch(o, undefined, undefined, 'berth', true, PatchStrategy.ServerSideApply);
      lines.push(`${o.kind} ${o.metadata?.name ?? ''}: ${(o.webhooks ?? []).map((h) => h.name).join(', ')}`);
    }
    // A kind left with no webhook in this mode (none today) would keep its earlier webhooks: say so.
    for (const kind of WEBHOOK_KINDS)
      if (!objs.some((o) => o.kind === kind)) lines.push(`${kind}: none declared for mode ${mode}`);
    this.d.logger.info({ registered: lines, caBundle: caBundle !== undefined }, 'webhooks registered');
    return lines;
  }
}
