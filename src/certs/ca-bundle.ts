/** Writes the CA bundle into every webhook of Berth's Mutating- and ValidatingWebhookConfiguration. */
import type { KubernetesObjectApi, KubernetesObject } from '@kubernetes/client-node';

interface WithWebhooks extends KubernetesObject {
  webhooks?: { clientConfig?: { caBundle?: string } }[];
}

export const WEBHOOK_CONFIG_KINDS = [
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
] as const;

export async function patchCaBundle(
  api: KubernetesObjectApi,
  name: string,
  bundlePem: string,
): Promise<string[]> {
  const caBundle = Buffer.from(bundlePem).toString('base64');
  const done: string[] = [];
  for (const kind of WEBHOOK_CONFIG_KINDS) {
    const ref = { apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name } };
    const cfg = await api.read<WithWebhooks>(ref);
    const hooks = cfg.webhooks ?? [];
    if (hooks.every((h) => h.clientConfig?.caBundle === caBundle)) {
      done.push(`${kind} ${name}: caBundle already current`);
      continue;
    }
    for (const h of hooks) h.clientConfig = { ...(h.clientConfig ?? {}), caBundle };
    await api.replace(cfg);
    done.push(`${kind} ${name}: caBundle patched (${hooks.length} webhooks)`);
  }
  return done;
}
