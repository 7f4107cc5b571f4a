/** Nodes of a NodePool and the pods bound to them, as a cluster's API would list them (for disruption tests). */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PDB } from '../../src/policies/view.js';
import { builtinCatalog } from '../../src/provisioner/catalog/catalog.js';

const catalog = builtinCatalog();

export function node(
  name: string,
  o: {
    type?: string;
    pool?: string;
    zone?: string;
    capacity?: string;
    annotations?: Record<string, string>;
  } = {},
): V1Node {
  const type = catalog.byName(o.type ?? 'm6i.xlarge');
  if (!type) throw new Error(`no instance type ${o.type ?? ''}`);
  const a = type.allocatable;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...type.labels,
        'karpenter.sh/nodepool': o.pool ?? 'general',
        'karpenter.sh/capacity-type': o.capacity ?? 'on-demand',
        'topology.kubernetes.io/zone': o.zone ?? 'us-east-1a',
        'kubernetes.io/hostname': name,
        'berth.dev/runtime-class': 'general',
      },
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    status: {
      allocatable: { cpu: `${a.cpuMillis}m`, memory: `${a.memoryMiB}Mi`, pods: String(a.pods) },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function pod(
  name: string,
  nodeName: string,
  o: {
    app?: string;
    cpu?: string;
    memory?: string;
    annotations?: Record<string, string>;
    owner?: string | false;
    ns?: string;
  } = {},
): V1Pod {
  const app = o.app ?? name;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'shop',
      labels: { app },
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owner === false
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: o.owner ?? 'ReplicaSet',
                name: `${app}-rs`,
                uid: `uid-${app}`,
                controller: true,
              },
            ],
          }),
    },
    spec: {
      nodeName,
      containers: [
        {
          name: 'app',
          image: 'app:1',
          resources: { requests: { cpu: o.cpu ?? '500m', memory: o.memory ?? '1Gi' } },
        },
      ],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function pdb(
  name: string,
  app: string,
  budget: { minAvailable?: number | string; maxUnavailable?: number | string },
  allowed?: number,
): PDB {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'shop' },
    spec: { ...budget, selector: { matchLabels: { app } } },
    ...(allowed !== undefined
      ? { status: { disruptionsAllowed: allowed, currentHealthy: 3, desiredHealthy: 3, expectedPods: 3 } }
      : {}),
  };
}
