/**
 * AMI aliases through the public SSM parameters. moto refuses parameters under /aws/service/, so SSM
 * (and EC2's DescribeImages) are aws-sdk-client-mock here.
 */
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { awsStack } from '../../src/provisioner/cloud/aws-stack.js';

const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);

const cluster = {
  name: 'prod',
  endpoint: 'https://k',
  caBundle: 'Q0E=',
  serviceCidr: '10.100.0.0/16',
  kubernetesVersion: '1.31',
};

function resolve(alias: string) {
  const cls = {
    metadata: { name: 'default' },
    spec: {
      amiSelectorTerms: [{ alias }],
      subnetSelectorTerms: [{ id: 'subnet-1' }],
      securityGroupSelectorTerms: [{ id: 'sg-1' }],
      instanceProfile: 'nodes',
    },
  };
  const aws = awsStack({
    clients: {
      ec2: new EC2Client({ region: 'us-east-1' }),
      ssm: new SSMClient({ region: 'us-east-1' }),
      iam: new IAMClient({ region: 'us-east-1' }),
    },
    cluster,
    region: 'us-east-1',
    nodeClass: () => cls,
    catalog: () => builtinCatalog(),
  });
  return aws.classes.resolve(cls);
}

const notFound = () => Object.assign(new Error('not found'), { name: 'ParameterNotFound' });

beforeEach(() => {
  ssm.reset();
  ec2.reset();
  ec2.onAnyCommand().resolves({
    Subnets: [{ SubnetId: 'subnet-1', AvailabilityZone: 'us-east-1a' }],
    SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'nodes' }],
  });
  ec2.on(DescribeImagesCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
    const id = input.Filters?.find((f) => f.Name === 'image-id')?.Values?.[0] ?? '';
    return {
      Images: [
        {
          ImageId: id,
          Name: `image ${id}`,
          Architecture: id.includes('arm') ? 'arm64' : 'x86_64',
          CreationDate: '2026-10-01T00:00:00Z',
        },
      ],
    };
  });
});

describe('AMI aliases', () => {
  it('al2023@latest: the recommended image of each architecture', async () => {
    ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
      const arch = input.Name.includes('/arm64/') ? 'arm' : 'x86';
      return { Parameter: { Value: `ami-${arch}-latest` } };
    });
    const r = await resolve('al2023@latest');
    expect(r.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(r.family).toBe('AL2023');
    expect(r.amis.map((a) => [a.id, a.arch]).sort()).toEqual([
      ['ami-arm-latest', 'arm64'],
      ['ami-x86-latest', 'amd64'],
    ]);
    expect(
      ssm
        .commandCalls(GetParameterCommand)
        .map((c) => c.args[0].input.Name)
        .sort(),
    ).toEqual([
      // The NVIDIA and Neuron variants are asked for too (Karpenter's al2023.go); this SSM has none.
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/nvidia/recommended/image_id',
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/standard/recommended/image_id',
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/neuron/recommended/image_id',
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/nvidia/recommended/image_id',
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id',
    ]);
  });

  it('a pinned version and bottlerocket read their own parameters', async () => {
    ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
      if (input.Name.includes('arm64')) throw notFound();
      return { Parameter: { Value: 'ami-x86-pinned' } };
    });
    const pinned = await resolve('al2023@v20241011');
    expect(pinned.amis.map((a) => a.id)).toEqual(['ami-x86-pinned']);
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toContain(
      '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.31-v20241011/image_id',
    );
    ssm.resetHistory();
    const br = await resolve('bottlerocket@v1.26.1');
    expect(br.family).toBe('Bottlerocket');
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toContain(
      '/aws/service/bottlerocket/aws-k8s-1.31/x86_64/1.26.1/image_id',
    );
  });

  it('an alias that names no image, or no family Berth knows, is AMINotFound', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    const missing = await resolve('al2023@v20990101');
    const ready = missing.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'AMINotFound' });
    expect(ready?.message).toContain('alias al2023@v20990101 names no image');
    const odd = await resolve('windows2022@latest');
    expect(odd.conditions.find((c) => c.type === 'AMIsReady')?.reason).toBe('AMIFamilyNotSupported');
    const bad = await resolve('al2023@yesterday');
    expect(bad.conditions.find((c) => c.type === 'AMIsReady')?.message).toContain('latest or vYYYYMMDD');
  });
});
