/** The Node a launched instance registers as (what a kubelet would post), for the simulated cloud and e2e. */
import type { V1Node } from '@kubernetes/client-node';
import type { InstanceType } from '../../catalog/instance-type.js';
import { LABEL } from '../../catalog/instance-type.js';
import { taintObject } from '../../scheduling/taints.js';
import { instanceLabels, type Instance, type LaunchRequest } from './provider.js';

export function nodeObjectFor(
  instance: Instance,
  req: LaunchRequest,
  type: InstanceType,
  region: string,
): V1Node {
  const name = req.claim;
  const a = type.allocatable;
  const c = type.capacity;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...req.labels,
        ...instanceLabels(instance, type),
        [LABEL.hostname]: name,
        [LABEL.region]: region,
      },
    },
    spec: {
      providerID: instance.providerId,
      taints: req.taints.map(taintObject),
    },
    status: {
      capacity: { cpu: String(c.cpuMillis / 1000), memory: `${c.memoryMiB}Mi`, pods: String(c.pods) },
      allocatable: { cpu: `${a.cpuMillis}m`, memory: `${a.memoryMiB}Mi`, pods: String(a.pods) },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'registered by the simulated cloud',
          lastHeartbeatTime: instance.launchedAt,
          lastTransitionTime: instance.launchedAt,
        },
      ],
    },
  };
}
