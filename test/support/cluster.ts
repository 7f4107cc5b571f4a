/** Nodes of a NodePool and the pods bound to them, as a cluster's API would list them (for disruption tests). */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PDB } from '../../src/policies/view.js';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { nodeObjectFor } from '../../src/provisioner/cloud/node-object.js';
import { providerIdOf } from '../../src/provisioner/cloud/provider.js';
import type { NodePool } from '../../src/scheduling/nodepool.js';

const catalog = builtinCatalog();

/** A Node of a NodePool as the simulated cloud registers it (the same object a kubelet would post). */
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
  const zone = o.zone ?? 'us-east-1a';
  const capacityType = o.capacity ?? 'on-demand';
  const nodePool = o.pool ?? 'berth-general';
  const id = `i-${name}`;
  const n = nodeObjectFor(
    {
      id,
      claim: name,
      nodePool,
      instanceType: type.name,
      zone,
      capacityType,
      providerId: providerIdOf(zone, id),
      launchedAt: new Date(0),
    },
    {
      claim: name,
      nodePool,
      nodeClass: 'default',
      capacityType,
      instanceTypes: [type.name],
      zones: [zone],
      labels: { 'berth.dev/runtime-class': 'general' },
      taints: [],
    },
    type,
    catalog.region,
  );
  if (o.annotations && n.metadata) n.metadata.annotations = o.annotations;
  return n;
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

/** A NodePool `name` over EC2NodeClass `c` with no requirements, and this disruption block. */
export function nodePool(name: string, disruption?: NodePool['spec']['disruption']): NodePool {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'c' },
          requirements: [],
        },
      },
      ...(disruption ? { disruption } : {}),
    },
  };
}
