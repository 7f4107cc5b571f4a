/** Starts moto_server (the EC2 API emulator) on a free loopback port for a test file. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../src/provisioner/cloud/aws-stack.js';
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => {
        if (a && typeof a === 'object') resolve(a.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

/** The one line a run without moto_server fails with (README: "Prerequisites"). */
export const MOTO_MISSING =
  "moto_server is not installed: the aws provider's tests run EC2, SSM, IAM, EKS and SQS on it (pip install 'moto[server]'; see README, Prerequisites)";

export async function startMoto(): Promise<Moto> {
  const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (probe.error) throw new Error(MOTO_MISSING);
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) =>
      reject(new Error(`moto_server could not start (is the moto package installed?): ${e.message}`)),
    );
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await Promise.race([
      fetch(`${endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      ),
      failed,
    ]);
    if (up) break;
    if (Date.now() > deadline) throw new Error('moto_server did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const MOTO_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The clients of every service the aws provider calls, against one moto_server. */
export function motoClients(endpoint: string): AwsClients & { sqs: SQSClient } {
  const c = { region: 'us-east-1', endpoint, credentials: MOTO_CREDENTIALS };
  return {
    ec2: new EC2Client(c),
    ssm: new SSMClient(c),
    iam: new IAMClient(c),
    eks: new EKSClient(c),
    sqs: new SQSClient(c),
  };
}

export interface MotoWorld {
  readonly vpcId: string;
  /** zone → subnet id (tagged karpenter.sh/discovery: <cluster>). */
  readonly subnets: Record<string, string>;
  /** The security group tagged karpenter.sh/discovery: <cluster>, and one that is not. */
  readonly securityGroup: { id: string; name: string };
  readonly otherGroup: { id: string; name: string };
  /** An x86_64 image moto serves, its name and owner. */
  readonly image: { id: string; name: string; owner: string };
  readonly role: string;
}

/**
 * What Karpenter's getting-started creates, in moto: a VPC with one subnet per zone and a security
 * group tagged `karpenter.sh/discovery: <cluster>`, a node role, and the EKS cluster itself.
 */
export async function motoWorld(clients: AwsClients, cluster: string): Promise<MotoWorld> {
  const { ec2 } = clients;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnets: Record<string, string> = {};
  const discovery = [{ Key: 'karpenter.sh/discovery', Value: cluster }];
  for (const [i, zone] of ['us-east-1a', 'us-east-1b', 'us-east-1c'].entries()) {
    const s = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone }),
    );
    subnets[zone] = s.Subnet?.SubnetId ?? '';
    await ec2.send(new CreateTagsCommand({ Resources: [subnets[zone]], Tags: discovery }));
  }
  const group = async (name: string, tagged: boolean) => {
    const g = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
    );
    if (tagged) await ec2.send(new CreateTagsCommand({ Resources: [g.GroupId ?? ''], Tags: discovery }));
    return { id: g.GroupId ?? '', name };
  };
  const securityGroup = await group(`${cluster}-nodes`, true);
  const otherGroup = await group(`${cluster}-other`, false);
  const images = await ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'architecture', Values: ['x86_64'] }] }),
  );
  const first = images.Images?.find((i) => i.Name && i.OwnerId);
  const image = { id: first?.ImageId ?? '', name: first?.Name ?? '', owner: first?.OwnerId ?? '' };
  const role = `KarpenterNodeRole-${cluster}`;
  await clients.iam.send(
    new CreateRoleCommand({
      RoleName: role,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
    }),
  );
  await clients.eks?.send(
    new CreateClusterCommand({
      name: cluster,
      roleArn: `arn:aws:iam::123456789012:role/${cluster}-cluster`,
      resourcesVpcConfig: { subnetIds: Object.values(subnets) },
      version: '1.31',
      kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16' },
    }),
  );
  return { vpcId, subnets, securityGroup, otherGroup, image, role };
}

/** The EC2NodeClass a getting-started cluster has, selecting the world's subnets, group and image. */
export function motoNodeClass(
  world: MotoWorld,
  cluster: string,
  name = 'default',
  spec: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name },
    spec: {
      amiFamily: 'AL2023',
      amiSelectorTerms: [{ id: world.image.id }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': cluster } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': cluster } }],
      role: world.role,
      ...spec,
    },
  };
}

/**
 * A test file's moto_server with a getting-started world for `cluster`, started before its tests and
 * stopped after them; read its fields inside the tests.
 */
export function motoSuite(cluster: string): {
  moto: Moto;
  clients: ReturnType<typeof motoClients>;
  world: MotoWorld;
} {
  const suite = {} as { moto: Moto; clients: ReturnType<typeof motoClients>; world: MotoWorld };
  beforeAll(async () => {
    suite.moto = await startMoto();
    suite.clients = motoClients(suite.moto.endpoint);
    suite.world = await motoWorld(suite.clients, cluster);
  }, 60_000);
  afterAll(async () => {
    // After a failed start (no moto_server) there is nothing to stop: the start's error is the one line.
    await stopMoto(suite.moto, suite.clients);
  });
  return suite;
}

/** Stops what a test file started, whatever of it started. */
export async function stopMoto(moto: Moto | undefined, clients: object | undefined): Promise<void> {
  for (const c of Object.values(clients ?? {}) as ({ destroy(): void } | undefined)[]) c?.destroy();
  await moto?.stop();
}
