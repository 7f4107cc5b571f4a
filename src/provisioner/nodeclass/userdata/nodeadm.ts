/**
 * AL2023 user data: the class's own user data (a MIME archive, a NodeConfig or a shell script), then
 * Berth's nodeadm NodeConfig joining the node to the cluster with the NodePool's labels and taints and
 * the instance type's max pods — one MIME multi-part archive, the class's parts first, as Karpenter does.
 */
import { parse, stringify } from 'yaml';
import type { BootstrapOptions } from './options.js';
import { taintObject } from '../../../scheduling/taints.js';
import {
  NODECONFIG_TYPE,
  SHELL_TYPE,
  UserDataError,
  looksLikeMime,
  parseMime,
  writeMime,
  type MimePart,
} from './mime.js';

/** `--node-labels="a=b,c=d"`, keys sorted (the kubelet flag nodeadm passes on). */
export function nodeLabelsFlag(labels: Readonly<Record<string, string>>): string | undefined {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return undefined;
  return `--node-labels="${keys.map((k) => `${k}=${labels[k] ?? ''}`).join(',')}"`;
}

export function nodeConfig(o: BootstrapOptions): Record<string, unknown> {
  const flag = nodeLabelsFlag(o.labels);
  return {
    apiVersion: 'node.eks.aws/v1alpha1',
    kind: 'NodeConfig',
    spec: {
      cluster: {
        name: o.cluster.name,
        apiServerEndpoint: o.cluster.endpoint,
        certificateAuthority: o.cluster.caBundle,
        cidr: o.cluster.serviceCidr,
      },
      kubelet: {
        // spec.kubelet passes through as kubelet configuration, as Karpenter passes it.
        config: {
          ...(o.kubelet ?? {}),
          maxPods: o.maxPods,
          registerWithTaints: o.taints.map(taintObject),
        },
        ...(flag !== undefined ? { flags: [flag] } : {}),
      },
      ...(o.instanceStorePolicy === 'RAID0' ? { instance: { localStorage: { strategy: 'RAID0' } } } : {}),
    },
  };
}

/** The class's own user data as MIME parts (content type detected when it is not an archive). */
function customParts(userData: string | undefined): MimePart[] {
  if (userData === undefined || userData.trim() === '') return [];
  if (looksLikeMime(userData)) return parseMime(userData);
  let doc: unknown;
  try {
    doc = parse(userData);
  } catch {
    doc = undefined;
  }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc))
    return [{ contentType: NODECONFIG_TYPE, content: userData }];
  return [{ contentType: SHELL_TYPE, content: userData }];
}

export function al2023UserData(o: BootstrapOptions): string {
  const ours = `# Berth generated NodeConfig\n${stringify(nodeConfig(o))}`;
  const parts = customParts(o.userData);
  for (const p of parts)
    if (p.contentType.startsWith(NODECONFIG_TYPE)) {
      let doc: unknown;
      try {
        doc = parse(p.content);
      } catch (e) {
        throw new UserDataError(
          `a NodeConfig part of the user data is not YAML: ${(e as Error).message.split('\n')[0] ?? ''}`,
        );
      }
      if (doc === null || typeof doc !== 'object')
        throw new UserDataError('a NodeConfig part of the user data is not a YAML mapping');
    }
  return writeMime([...parts, { contentType: NODECONFIG_TYPE, content: ours }]);
}
