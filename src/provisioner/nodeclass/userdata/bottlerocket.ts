/**
 * Bottlerocket user data: the class's TOML settings, with Berth's `settings.kubernetes` merged over them
 * (cluster, API server, CA, node labels and taints, max pods), as Karpenter merges them.
 */
import { parse, stringify, TomlError } from 'smol-toml';
import type { BootstrapOptions } from './options.js';
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
  const merged: Table = {
    ...k8s,
    'cluster-name': o.cluster.name,
    'api-server': o.cluster.endpoint,
    'cluster-certificate': o.cluster.caBundle,
    'node-labels': { ...table(k8s['node-labels']), ...o.labels },
    'node-taints': taints,
    'max-pods': o.maxPods,
  };
  return stringify({ ...doc, settings: { ...settings, kubernetes: merged } });
}
