/** The aws provider's error paths moto cannot produce, with aws-sdk-client-mock. */
import { CreateFleetCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { AwsCloud } from '../../src/provisioner/cloud/aws.js';
import { CloudError, InsufficientCapacityError } from '../../src/provisioner/cloud/provider.js';
import { readyClass } from '../support/ready-class.js';

const ec2 = mockClient(EC2Client);
const request = {
  claim: 'berth-0007',
  nodePool: 'batch',
  nodeClass: 'default',
  capacityType: 'spot',
  instanceTypes: ['m6g.large', 'm6g.xlarge'],
  zones: ['us-east-1a', 'us-east-1b'],
  labels: {},
  taints: [],
};
const sleeps: number[] = [];

/** A class resolved to two subnets and an arm64 image, without AWS. */
const ready = readyClass({ id: 'ami-arm', name: 'al2023-arm', arch: 'arm64', created: '2026-01-01' });

function cloud(): AwsCloud {
  return new AwsCloud({
    client: new EC2Client({ region: 'us-east-1' }),
    clusterName: 'prod',
    classes: { ready: () => Promise.resolve(ready) },
    templates: { ensure: (data) => Promise.resolve(`lt-${data.ImageId ?? ''}`) },
    catalog: () => builtinCatalog(),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
}

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
}

beforeEach(() => {
  ec2.reset();
  sleeps.length = 0;
});

describe('aws provider error paths', () => {
  it('sends one fleet request with every type × zone, the strategy for spot and the claim as token', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [
        {
          InstanceIds: ['i-1'],
          InstanceType: 'm6g.large',
          Lifecycle: 'spot',
          LaunchTemplateAndOverrides: { Overrides: { AvailabilityZone: 'us-east-1a', SubnetId: 'subnet-a' } },
        },
      ],
    });
    const launched = await cloud().create(request);
    expect(launched).toMatchObject({ id: 'i-1', zone: 'us-east-1a', capacityType: 'spot', unavailable: [] });
    const input = ec2.commandCalls(CreateFleetCommand)[0]?.args[0].input;
    expect(input?.Type).toBe('instant');
    expect(input?.ClientToken).toBe('berth-0007');
    expect(input?.SpotOptions?.AllocationStrategy).toBe('price-capacity-optimized');
    // m6g.large (29 pods) and m6g.xlarge (58): a template each, both zones in each.
    expect(input?.LaunchTemplateConfigs?.map((c) => c.Overrides?.length)).toEqual([2, 2]);
    expect(input?.LaunchTemplateConfigs?.[0]?.LaunchTemplateSpecification?.LaunchTemplateName).toBe(
      'lt-ami-arm',
    );
    expect(input?.TagSpecifications?.[0]?.Tags).toContainEqual({
      Key: 'karpenter.sh/nodepool',
      Value: 'batch',
    });
  });

  it('types insufficient capacity and names the offerings', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [],
      Errors: [
        {
          ErrorCode: 'InsufficientInstanceCapacity',
          ErrorMessage: 'no capacity',
          LaunchTemplateAndOverrides: {
            Overrides: { InstanceType: 'm6g.large', AvailabilityZone: 'us-east-1a' },
          },
        },
      ],
    });
    const err = await cloud()
      .create(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientCapacityError);
    const ice = err as InsufficientCapacityError;
    expect(ice.code).toBe('InsufficientInstanceCapacity');
    expect(ice.offerings).toEqual([{ instanceType: 'm6g.large', zone: 'us-east-1a', capacityType: 'spot' }]);
    expect(ice.cause).toBeDefined();
  });

  it('keeps the instance of a partial fleet and reports the offerings that failed', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [
        {
          InstanceIds: ['i-2'],
          InstanceType: 'm6g.xlarge',
          LaunchTemplateAndOverrides: { Overrides: { AvailabilityZone: 'us-east-1b' } },
        },
      ],
      Errors: [
        {
          ErrorCode: 'UnfulfillableCapacity',
          LaunchTemplateAndOverrides: {
            Overrides: { InstanceType: 'm6g.large', AvailabilityZone: 'us-east-1a' },
          },
        },
      ],
    });
    const launched = await cloud().create(request);
    expect(launched.id).toBe('i-2');
    expect(launched.unavailable).toEqual([
      { instanceType: 'm6g.large', zone: 'us-east-1a', capacityType: 'spot' },
    ]);
  });

  it('retries throttling with backoff, then gives up with a typed error', async () => {
    ec2
      .on(CreateFleetCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({
        Instances: [
          {
            InstanceIds: ['i-3'],
            InstanceType: 'm6g.large',
            LaunchTemplateAndOverrides: { Overrides: { AvailabilityZone: 'us-east-1a' } },
          },
        ],
      });
    expect((await cloud().create(request)).id).toBe('i-3');
    expect(sleeps).toEqual([100, 200]);

    ec2.on(CreateFleetCommand).rejects(throttled());
    const err = await cloud()
      .create(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as Error).message).toContain('kept throttling');
  });

  it('reports other fleet errors as cloud errors with their cause', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [],
      Errors: [{ ErrorCode: 'InvalidLaunchTemplateName.NotFoundException', ErrorMessage: 'gone' }],
    });
    const err = await cloud()
      .create(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).not.toBeInstanceOf(InsufficientCapacityError);
    expect((err as Error).message).toContain('InvalidLaunchTemplateName');
  });
});
