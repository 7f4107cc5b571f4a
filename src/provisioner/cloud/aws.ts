/**
 * The aws cloud: EC2 CreateFleet `instant` for one claim, its instance types × zones as overrides
 * (one subnet per zone, from the class's resolved subnets), one launch template config per distinct
 * image and max pods (each template made from the EC2NodeClass with bootstrap user data),
 * `price-capacity-optimized` for spot and `lowest-price` for on-demand, tags for cluster, NodePool,
 * class and claim, and the claim's name as the idempotency token. Capacity errors are typed;
 * throttling is retried with backoff. The EC2 client, classes and templates are passed in.
 */
import {
  CreateFleetCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
  type CreateFleetCommandInput,
  type CreateFleetInstance,
  type CreateFleetCommandOutput,
  type EC2Client,
  type FleetLaunchTemplateConfigRequest,
  type FleetLaunchTemplateOverridesRequest,
  type Instance as Ec2Instance,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { Catalog } from '../../catalog/catalog.js';
import type { Taint } from '../../scheduling/taints.js';
import type { NodeClasses, ReadyClass } from './aws-classes.js';
import { fleetFailure, withRetry, type RetryOptions } from './aws-errors.js';
import { launchGroups, nodeShape, reservedLaunch, targetType, withReservation } from './aws-launch.js';
import { templateFor } from './aws-template-data.js';
import type { LaunchTemplates } from './aws-templates.js';
import { RESERVED } from '../../scheduling/reservations.js';
import {
  CLAIM_TAG,
  LEGACY_CLAIM_TAG,
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
  nodeClass: 'karpenter.k8s.aws/ec2nodeclass',
  claim: CLAIM_TAG,
} as const;

/** CreateFleet accepts at most this many overrides in all. */
const MAX_OVERRIDES = 60;

export interface AwsOptions extends RetryOptions {
  readonly client: EC2Client;
  readonly clusterName: string;
  readonly classes: Pick<NodeClasses, 'ready'>;
  readonly templates: Pick<LaunchTemplates, 'ensure'>;
  readonly catalog: () => Catalog;
  /** A NodePool's spec.template.spec.startupTaints (registered by the kubelet, lifted by some agent). */
  readonly startupTaints?: (nodePool: string) => readonly Taint[];
}

function tag(i: Ec2Instance, key: string): string {
  return i.Tags?.find((t) => t.Key === key)?.Value ?? '';
}

/** Zone → the subnet with the most free addresses. */
function subnetByZone(rc: ReadyClass): Map<string, string> {
  const best = new Map<string, { id: string; free: number }>();
  for (const s of rc.resolution.subnets) {
    const b = best.get(s.zone);
    if (!b || s.freeIps > b.free) best.set(s.zone, { id: s.id, free: s.freeIps });
  }
  return new Map([...best].map(([z, b]) => [z, b.id]));
}

export class AwsCloud implements CloudProvider {
  readonly name = 'aws' as const;

  constructor(private readonly opts: AwsOptions) {}

  /** One launch template config per image and max pods, its overrides the group's types × zones. */
  private async configs(req: LaunchRequest, rc: ReadyClass): Promise<FleetLaunchTemplateConfigRequest[]> {
    const subnets = subnetByZone(rc);
    // A reserved launch is of its reservation's type and zone only (the claim's first type and zone).
    const reservation = reservedLaunch(req);
    const types = reservation ? req.instanceTypes.slice(0, 1) : req.instanceTypes;
    const zones = reservation ? req.zones.slice(0, 1) : req.zones;
    const groups = launchGroups(types, rc.resolution.amis, this.opts.catalog(), rc.spec);
    const startup = this.opts.startupTaints?.(req.nodePool) ?? [];
    const out: FleetLaunchTemplateConfigRequest[] = [];
    let room = MAX_OVERRIDES;
    for (const g of groups) {
      const overrides: FleetLaunchTemplateOverridesRequest[] = [];
      for (const InstanceType of g.instanceTypes)
        for (const zone of zones) {
          const SubnetId = subnets.get(zone);
          if (SubnetId && overrides.length < room)
            overrides.push({
              InstanceType: InstanceType as FleetLaunchTemplateOverridesRequest['InstanceType'],
              SubnetId,
              AvailabilityZone: zone,
            });
        }
      if (overrides.length === 0) continue;
      room -= overrides.length;
      const data = withReservation(
        templateFor(rc, nodeShape(req, startup, g.ami, g.maxPods, g.kubelet)),
        reservation,
      );
      const LaunchTemplateName = await this.opts.templates.ensure(data, req.nodeClass);
      out.push({
        LaunchTemplateSpecification: { LaunchTemplateName, Version: '$Latest' },
        Overrides: overrides,
      });
    }
    return out;
  }

  async create(req: LaunchRequest): Promise<Launched> {
    const rc = await this.opts.classes.ready(req.nodeClass);
    const configs = await this.configs(req, rc);
    const overrides = configs.flatMap((c) => c.Overrides ?? []);
    if (overrides.length === 0)
      throw new CloudError(
        `claim ${req.claim}: EC2NodeClass ${req.nodeClass} has no subnet in zones ${req.zones.join(', ')} or no image for the architecture of ${req.instanceTypes.slice(0, 3).join(', ')}`,
      );
    const out: CreateFleetCommandOutput = await withRetry(this.opts, () =>
      this.opts.client.send(new CreateFleetCommand(fleetInput(req, configs, this.opts.clusterName, rc))),
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
    return launchedOf(req, launched, id, subnetByZone(rc), {
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
    const legacy = tag(i, TAG.claim) === '' ? tag(i, LEGACY_CLAIM_TAG) : '';
    return {
      id,
      claim: legacy || tag(i, TAG.claim),
      ...(legacy !== '' ? { legacy: true as const } : {}),
      nodePool: tag(i, TAG.nodePool),
      instanceType: i.InstanceType ?? '',
      zone,
      capacityType:
        i.InstanceLifecycle === 'spot'
          ? 'spot'
          : i.CapacityReservationId !== undefined
            ? RESERVED
            : 'on-demand',
      providerId: providerIdOf(zone, id),
      launchedAt: i.LaunchTime ?? new Date(0),
      ...(i.ImageId !== undefined ? { imageId: i.ImageId } : {}),
    };
  }
}

/** The CreateFleet request for one claim. */
function fleetInput(
  req: LaunchRequest,
  configs: FleetLaunchTemplateConfigRequest[],
  cluster: string,
  rc: ReadyClass,
): CreateFleetCommandInput {
  const spot = req.capacityType === 'spot';
  const tags: Tag[] = [
    ...Object.entries(rc.spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    { Key: TAG.cluster, Value: cluster },
    { Key: TAG.nodePool, Value: req.nodePool },
    { Key: TAG.nodeClass, Value: req.nodeClass },
    { Key: TAG.claim, Value: req.claim },
    { Key: 'Name', Value: `${cluster}/${req.claim}` },
  ];
  return {
    Type: 'instant',
    ClientToken: req.claim.slice(0, 64),
    ...(rc.spec.context !== undefined ? { Context: rc.spec.context } : {}),
    LaunchTemplateConfigs: configs,
    TargetCapacitySpecification: {
      TotalTargetCapacity: 1,
      DefaultTargetCapacityType: targetType(req),
      ...(spot ? { SpotTargetCapacity: 1 } : { OnDemandTargetCapacity: 1 }),
    },
    ...(spot
      ? { SpotOptions: { AllocationStrategy: 'price-capacity-optimized' } }
      : { OnDemandOptions: { AllocationStrategy: 'lowest-price' } }),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
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
    capacityType:
      launched.Lifecycle === 'spot' || req.capacityType === 'spot'
        ? 'spot'
        : req.capacityType === RESERVED
          ? RESERVED
          : 'on-demand',
    providerId: providerIdOf(zone, id),
    ...extra,
  };
}
