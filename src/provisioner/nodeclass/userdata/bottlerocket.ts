/**
 * Bottlerocket user data: the class's TOML settings, with Berth's `settings.kubernetes` merged over them
 * (cluster, API server, CA, node labels and taints, max pods), as Karpenter merges them.
 */
import { parse, stringify, TomlError } from 'smol-toml';
import { clusterDnsIp, type BootstrapOptions, type KubeletConfig } from './options.js';
import { UserDataError } from './mime.js';

type Table = Record<string, unknown>;

function table(v: unknown): Table {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {};
}

function parsed(userData: string | undefined): Table {
  if (userData === undefined || userData.trim() === '') return {};
  try {
    return parse(userData);
  } catch (e) {
    const where = e instanceof TomlError ? ` (line ${e.line}, column ${e.column})` : '';
    throw new UserDataError(
      `user data is not valid TOML${where}: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`,
    );
  }
}

export function bottlerocketUserData(o: BootstrapOptions): string {
  const doc = parsed(o.userData);
  const settings = table(doc.settings);
  const k8s = table(settings.kubernetes);
  const taints: Record<string, string[]> = {};
  for (const t of o.taints) (taints[t.key] ??= []).push(`${t.value ?? ''}:${t.effect}`);
  const dns = clusterDnsIp(o);
  const merged: Table = {
    ...k8s,
    'cluster-name': o.cluster.name,
    'api-server': o.cluster.endpoint,
    'cluster-certificate': o.cluster.caBundle,
    ...(dns !== undefined ? { 'cluster-dns-ip': dns } : {}),
    ...kubeletSettings(o.kubelet),
    'node-labels': { ...table(k8s['node-labels']), ...o.labels },
    'node-taints': taints,
    'max-pods': o.maxPods,
  };
  const raid0 =
    o.instanceStorePolicy === 'RAID0'
      ? {
          'bootstrap-commands': {
            ...table(settings['bootstrap-commands']),
            '000-mount-instance-storage': {
              commands: [
                ['apiclient', 'ephemeral-storage', 'init'],
                [
                  'apiclient',
                  'ephemeral-storage',
                  'bind',
                  '--dirs',
                  '/var/lib/containerd',
                  '/var/lib/kubelet',
                  '/var/log/pods',
                ],
              ],
              essential: true,
              mode: 'always',
            },
          },
        }
      : {};
  return stringify({ ...doc, settings: { ...settings, ...raid0, kubernetes: merged } });
}

/** spec.kubelet as Bottlerocket's settings.kubernetes names it (what Karpenter's bootstrap writes). */
function kubeletSettings(k: KubeletConfig | undefined): Table {
  if (!k) return {};
  const out: Table = {};
  const set = (key: string, v: unknown) => {
    if (v !== undefined) out[key] = v;
  };
  set('system-reserved', k.systemReserved);
  set('kube-reserved', k.kubeReserved);
  set('eviction-hard', k.evictionHard);
  set('eviction-soft', k.evictionSoft);
  set('eviction-soft-grace-period', k.evictionSoftGracePeriod);
  set('eviction-max-pod-grace-period', k.evictionMaxPodGracePeriod);
  set('image-gc-high-threshold-percent', k.imageGCHighThresholdPercent?.toString());
  set('image-gc-low-threshold-percent', k.imageGCLowThresholdPercent?.toString());
  set('cpu-cfs-quota-enforced', k.cpuCFSQuota);
  return out;
}
