/** An EC2NodeClass resolved without AWS: two subnets (us-east-1a, -1b), one security group, one image. */
import type { ReadyClass } from '../../src/provisioner/cloud/aws-classes.js';
import type { ResolvedAmi } from '../../src/provisioner/nodeclass/spec.js';

export function readyClass(ami: ResolvedAmi): ReadyClass {
  return {
    cls: { metadata: { name: 'default' } },
    spec: {},
    cluster: {
      name: 'prod',
      endpoint: 'https://k',
      caBundle: 'Q0E=',
      serviceCidr: '10.100.0.0/16',
      kubernetesVersion: '1.31',
    },
    resolution: {
      name: 'default',
      family: 'AL2023',
      subnets: [
        { id: 'subnet-a', zone: 'us-east-1a', freeIps: 10 },
        { id: 'subnet-b', zone: 'us-east-1b', freeIps: 10 },
      ],
      securityGroups: [{ id: 'sg-1', name: 'nodes' }],
      amis: [ami],
      instanceProfile: 'profile',
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '' }],
    },
  };
}
