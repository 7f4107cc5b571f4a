/**
 * The aws cloud: EC2 CreateFleet `instant` with overrides of instance type × subnet (one subnet per
 * zone), `price-capacity-optimized` for spot and `lowest-price` for on-demand, a launch template per
 * EC2NodeClass, tags for cluster, NodePool and claim, and the claim's name as the idempotency token.
 * Capacity errors are typed; throttling is retried with backoff. The EC2 client is passed in.
 */
import {
  CreateFleetCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
  type CreateFleetCommandInput,
  type CreateFleetInstance,
  type CreateFleetCommandOutput,
  type EC2Client,
  type FleetLaunchTemplateOverridesRequest,
  type Instance as Ec2Instance,
} from '@aws-sdk/client-ec2';
import { AwsResources, type AwsResourceOptions } from './aws-resources.js';
import { fleetFailure, withRetry, type RetryOptions } from './aws-errors.js';
import {
  CLAIM_LABEL,
  CloudError,
  InsufficientCapacityError,
  providerIdOf,
  type CloudProvider,
  type Instance,
  type LaunchRequest,
  type Launched,
} from './provider.js';

export const TAG = {
  cluster: 'berth.dev/cluster',
  nodePool: 'karpenter.sh/nodepool',
  claim: CLAIM_LABEL,
} as const;

/** CreateFleet accepts at most this many overrides per launch template config. */
const MAX_OVERRIDES = 60;

export interface AwsOptions extends AwsResourceOptions, RetryOptions {
  readonly client: EC2Client;
  readonly clusterName: string;
}

function tag(i: Ec2Instance, key: string): string {
  return i.Tags?.find((t) => t.Key === key)?.Value ?? '';
}

export class AwsCloud implements CloudProvider {
  readonly name = 'aws' as const;
  private readonly resources: AwsResources;

  constructor(private readonly opts: AwsOptions) {
    this.resources = new AwsResources(opts.client, opts.clusterName, opts);
  }

  private overrides(
    req: LaunchRequest,
    subnets: ReadonlyMap<string, string>,
  ): FleetLaunchTemplateOverridesRequest[] {
    const out: FleetLaunchTemplateOverridesRequest[] = [];
    for (const InstanceType of req.instanceTypes) {
      for (const zone of req.zones) {
        const SubnetId = subnets.get(zone);
        if (SubnetId)
          out.push({
            InstanceType: InstanceType as FleetLaunchTemplateOverridesRequest['InstanceType'],
            SubnetId,
            AvailabilityZone: zone,
          });
      }
    }
    return out.slice(0, MAX_OVERRIDES);
  }

  async create(req: LaunchRequest): Promise<Launched> {
    const subnets = await this.resources.subnets();
    const template = await this.resources.launchTemplate(req.nodeClass);
    const overrides = this.overrides(req, subnets);
    if (overrides.length === 0)
      throw new CloudError(`claim ${req.claim}: no subnet in zones ${req.zones.join(', ')}`);
    const out: CreateFleetCommandOutput = await withRetry(this.opts, () =>
      this.opts.client.send(
        new CreateFleetCommand(fleetInput(req, template, overrides, this.opts.clusterName)),
      ),
    );
    const launched = out.Instances?.find((i) => (i.InstanceIds?.length ?? 0) > 0);
    const offered = overrides.map((o) => ({
      instanceType: o.InstanceType ?? '',
      zone: o.AvailabilityZone ?? '',
      capacityType: req.capacityType,
    }));
    const failure = fleetFailure(req.claim, out.Errors ?? [], offered);
    const id = launched?.InstanceIds?.[0];
    if (!launched || !id)
      throw failure ?? new CloudError(`claim ${req.claim}: CreateFleet launched nothing and gave no reason`);
    return launchedOf(req, launched, id, subnets, {
      launchedAt: (this.opts.clock ?? (() => new Date()))(),
      unavailable: failure instanceof InsufficientCapacityError ? failure.offerings : [],
    });
  }

  async delete(id: string): Promise<void> {
    await withRetry(this.opts, () =>
      this.opts.client.send(new TerminateInstancesCommand({ InstanceIds: [id] })),
    );
  }

  async list(): Promise<Instance[]> {
    const out: Instance[] = [];
    let NextToken: string | undefined;
    do {
      const page = await withRetry(this.opts, () =>
        this.opts.client.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${TAG.cluster}`, Values: [this.opts.clusterName] },
              { Name: 'instance-state-name', Values: ['pending', 'running'] },
            ],
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      );
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) out.push(this.toInstance(i));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  private toInstance(i: Ec2Instance): Instance {
    const zone = i.Placement?.AvailabilityZone ?? '';
    const id = i.InstanceId ?? '';
    return {
      id,
      claim: tag(i, TAG.claim),
      nodePool: tag(i, TAG.nodePool),
      instanceType: i.InstanceType ?? '',
      zone,
      capacityType: i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
      providerId: providerIdOf(zone, id),
      launchedAt: i.LaunchTime ?? new Date(0),
    };
  }
}

/** The CreateFleet request for one claim. */
function fleetInput(
  req: LaunchRequest,
  template: string,
  overrides: FleetLaunchTemplateOverridesRequest[],
  cluster: string,
): CreateFleetCommandInput {
  const spot = req.capacityType === 'spot';
  const tags = [
    { Key: TAG.cluster, Value: cluster },
    { Key: TAG.nodePool, Value: req.nodePool },
    { Key: TAG.claim, Value: req.claim },
    { Key: 'Name', Value: `${cluster}/${req.claim}` },
  ];
  return {
    Type: 'instant',
    ClientToken: req.claim.slice(0, 64),
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateName: template, Version: '$Latest' },
        Overrides: overrides,
      },
    ],
    TargetCapacitySpecification: {
      TotalTargetCapacity: 1,
      DefaultTargetCapacityType: spot ? 'spot' : 'on-demand',
      ...(spot ? { SpotTargetCapacity: 1 } : { OnDemandTargetCapacity: 1 }),
    },
    ...(spot
      ? { SpotOptions: { AllocationStrategy: 'price-capacity-optimized' } }
      : { OnDemandOptions: { AllocationStrategy: 'lowest-price' } }),
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
  };
}

function launchedOf(
  req: LaunchRequest,
  launched: CreateFleetInstance,
  id: string,
  subnets: ReadonlyMap<string, string>,
  extra: { launchedAt: Date; unavailable: Launched['unavailable'] },
): Launched {
  const o = launched.LaunchTemplateAndOverrides?.Overrides;
  const zone = o?.AvailabilityZone ?? [...subnets].find(([, s]) => s === o?.SubnetId)?.[0] ?? '';
  return {
    id,
    claim: req.claim,
    nodePool: req.nodePool,
    instanceType: launched.InstanceType ?? o?.InstanceType ?? '',
    zone,
    capacityType: launched.Lifecycle === 'spot' || req.capacityType === 'spot' ? 'spot' : 'on-demand',
    providerId: providerIdOf(zone, id),
    ...extra,
  };
}
