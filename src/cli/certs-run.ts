/** `berth certs`: create or renew the webhook's CA and serving certificate; write them; patch caBundle. */
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { patchCaBundle } from '../certs/ca-bundle.js';
import { serviceNames } from '../certs/defaults.js';
import { planCerts } from '../certs/rotate.js';
import { DirStore, SecretStore, type CertStore } from '../certs/stores.js';
import { loadKubeConfig } from '../kube/client.js';
import type { CliIO } from '../util/io.js';

export interface CertsOpts {
  out?: string;
  secret?: string;
  namespace: string;
  service: string;
  dns?: string[];
  ip?: string[];
  days: string;
  caDays: string;
  renewBefore: string;
  patchWebhooks?: string | boolean;
  kubeconfig?: string;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${flag} must be a positive whole number of days, got ${v}`);
  return n;
}

function storeFor(opts: CertsOpts, api: KubernetesObjectApi | undefined): CertStore {
  if (opts.out !== undefined) return new DirStore(opts.out);
  if (api === undefined || opts.secret === undefined) throw new Error('--secret needs a cluster');
  return new SecretStore(api, opts.namespace, opts.secret);
}

/** `berth certs`: create or renew, write, and patch the CA bundle when asked. */
export async function certsAction(opts: CertsOpts, io: CliIO): Promise<void> {
  if ((opts.out === undefined) === (opts.secret === undefined))
    throw new Error('give exactly one of --out DIR or --secret NAME');
  const dns = opts.dns ?? (opts.ip ? [] : serviceNames(opts.service, opts.namespace));
  const needsCluster = opts.secret !== undefined || opts.patchWebhooks !== undefined;
  const api = needsCluster ? KubernetesObjectApi.makeApiClient(loadKubeConfig(opts.kubeconfig)) : undefined;
  const store = storeFor(opts, api);
  const plan = planCerts(await store.load(), {
    dns,
    ips: opts.ip ?? [],
    now: io.clock(),
    servingDays: positive('--days', opts.days),
    caDays: positive('--ca-days', opts.caDays),
    renewBeforeDays: positive('--renew-before', opts.renewBefore),
  });
  if (plan.changed) await store.save(plan.files);
  for (const a of plan.actions) io.out(`${a}\n`);
  io.out(`${plan.changed ? 'wrote' : 'kept'} ${store.describe()}\n`);
  if (opts.out !== undefined) io.out(`CA bundle: ${opts.out}/ca.crt\n`);
  if (api && opts.patchWebhooks !== undefined) {
    const name = typeof opts.patchWebhooks === 'string' ? opts.patchWebhooks : 'berth';
    for (const line of await patchCaBundle(api, name, plan.files['ca.crt'])) io.out(`${line}\n`);
  }
  io.exit(0);
}
