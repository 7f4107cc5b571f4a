/**
 * Capacity reservations on the aws provider (Karpenter v1.14.1: aws/karpenter-provider-aws
 * pkg/providers/capacityreservation, v1.CapacityReservationFromEC2, the CreateFleet of a reserved
 * claim), with aws-sdk-client-mock: moto 5 serves no DescribeCapacityReservations.
 */
import {
  CreateFleetCommand,
  DescribeCapacityReservationsCommand,
  EC2Client,
  type CapacityReservation,
} from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { AwsCloud } from '../../src/provisioner/cloud/aws.js';
import { AwsLookups, reservationQuery } from '../../src/provisioner/cloud/aws-lookups.js';
import {
  queriesOf,
  reservationOf,
  resolveReservations,
} from '../../src/provisioner/cloud/aws-reservations.js';
import { InsufficientCapacityError } from '../../src/provisioner/cloud/provider.js';
import { readyClass } from '../support/ready-class.js';

const ec2 = mockClient(EC2Client);
beforeEach(() => ec2.reset());

const now = new Date('2026-11-27T12:00:00Z');
const cr = (over: Partial<CapacityReservation> = {}): CapacityReservation => ({
  CapacityReservationId: 'cr-0aaa',
  InstanceType: 'm5.xlarge',
  AvailabilityZone: 'us-east-1a',
  InstanceMatchCriteria: 'targeted',
  OwnerId: '123456789012',
  ReservationType: 'default',
  AvailableInstanceCount: 2,
  ...over,
});

describe('reservationOf (v1.CapacityReservationFromEC2)', () => {
  it('keeps what the class status holds, and how many instances it still takes', () => {
    expect(reservationOf(cr(), now)).toEqual({
      id: 'cr-0aaa',
      instanceType: 'm5.xlarge',
      zone: 'us-east-1a',
      reservationType: 'default',
      interruptible: false,
      state: 'active',
      instanceMatchCriteria: 'targeted',
      ownerID: '123456789012',
      available: 2,
    });
  });

  it('a capacity block is expiring in its last 40 minutes; a default reservation never is', () => {
    const end = new Date(now.getTime() + 39 * 60_000);
    expect(reservationOf(cr({ ReservationType: 'capacity-block', EndDate: end }), now)?.state).toBe(
      'expiring',
    );
    const later = new Date(now.getTime() + 41 * 60_000);
    expect(reservationOf(cr({ ReservationType: 'capacity-block', EndDate: later }), now)?.state).toBe(
      'active',
    );
    expect(reservationOf(cr({ EndDate: end }), now)?.state).toBe('active');
  });

  it('leaves out match criteria and types it does not know (kubernetes-sigs/karpenter#806)', () => {
    expect(reservationOf(cr({ InstanceMatchCriteria: 'future' as 'open' }), now)).toBeUndefined();
    expect(reservationOf(cr({ ReservationType: 'other' as 'default' }), now)).toBeUndefined();
  });
});

describe('the queries (capacityreservation.QueriesFromSelectorTerms, DescribeCapacityReservationsInput)', () => {
  it('an id is looked up by itself; tags, owner and criteria as filters on active reservations', () => {
    expect(queriesOf([{ id: 'cr-1' }, { tags: { team: 'ml' }, ownerID: '1' }, { ownerID: '2' }])).toEqual([
      { id: 'cr-1' },
      { ownerID: '1', tags: { team: 'ml' } },
    ]);
    expect(reservationQuery({ id: 'cr-1' })).toEqual({
      Filters: [{ Name: 'state', Values: ['active'] }],
      CapacityReservationIds: ['cr-1'],
    });
    expect(reservationQuery({ tags: { team: 'ml', any: '*' }, instanceMatchCriteria: 'open' })).toEqual({
      Filters: [
        { Name: 'state', Values: ['active'] },
        { Name: 'tag:team', Values: ['ml'] },
        { Name: 'tag-key', Values: ['any'] },
        { Name: 'instance-match-criteria', Values: ['open'] },
      ],
      MaxResults: 1000,
    });
  });

  it('resolves the terms through EC2, one reservation per id, sorted', async () => {
    ec2.on(DescribeCapacityReservationsCommand).resolves({
      CapacityReservations: [cr({ CapacityReservationId: 'cr-0bbb' }), cr()],
    });
    const lookups = new AwsLookups({ ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({}) });
    const found = await resolveReservations(lookups, [{ id: 'cr-0aaa' }, { tags: { team: 'ml' } }], now);
    expect(found.map((r) => r.id)).toEqual(['cr-0aaa', 'cr-0bbb']);
  });
});

const ready = readyClass({ id: 'ami-x86', name: 'al2023', arch: 'amd64', created: '2026-01-01' });

describe('a reserved claim on the aws provider', () => {
  const templates: Record<string, unknown>[] = [];
  const cloud = () =>
    new AwsCloud({
      client: new EC2Client({ region: 'us-east-1' }),
      clusterName: 'prod',
      classes: { ready: () => Promise.resolve(ready) },
      templates: {
        ensure: (data) => {
          templates.push(data as Record<string, unknown>);
          return Promise.resolve(`lt-${templates.length}`);
        },
      },
      catalog: () => builtinCatalog(),
      sleep: () => Promise.resolve(),
    });
  const reserved = (type: string) => ({
    claim: 'berth-0001',
    nodePool: 'gpu',
    nodeClass: 'default',
    capacityType: 'reserved',
    instanceTypes: ['m5.xlarge', 'm5.2xlarge'],
    zones: ['us-east-1a', 'us-east-1b'],
    labels: {
      'karpenter.k8s.aws/capacity-reservation-id': 'cr-0aaa',
      'karpenter.k8s.aws/capacity-reservation-type': type,
    },
    taints: [],
  });

  it('launches on demand into its reservation: its type and zone only, the template targeting it', async () => {
    templates.length = 0;
    ec2.on(CreateFleetCommand).resolves({
      Instances: [
        {
          InstanceIds: ['i-1'],
          InstanceType: 'm5.xlarge',
          Lifecycle: 'on-demand',
          LaunchTemplateAndOverrides: { Overrides: { AvailabilityZone: 'us-east-1a', SubnetId: 'subnet-a' } },
        },
      ],
    });
    const launched = await cloud().create(reserved('default'));
    expect(launched.capacityType).toBe('reserved');
    const input = ec2.commandCalls(CreateFleetCommand)[0]?.args[0].input;
    expect(input?.TargetCapacitySpecification?.DefaultTargetCapacityType).toBe('on-demand');
    expect(input?.LaunchTemplateConfigs?.flatMap((c) => c.Overrides ?? [])).toEqual([
      { InstanceType: 'm5.xlarge', SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' },
    ]);
    expect(templates[0]?.CapacityReservationSpecification).toEqual({
      CapacityReservationTarget: { CapacityReservationId: 'cr-0aaa' },
    });
  });

  it('passes the class context to CreateFleet (EC2NodeClass spec.context)', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Instances: [{ InstanceIds: ['i-2'], InstanceType: 'm5.xlarge', Lifecycle: 'on-demand' }],
    });
    const withContext = new AwsCloud({
      client: new EC2Client({ region: 'us-east-1' }),
      clusterName: 'prod',
      classes: { ready: () => Promise.resolve({ ...ready, spec: { context: 'ctx-0123' } }) },
      templates: { ensure: () => Promise.resolve('lt-ctx') },
      catalog: () => builtinCatalog(),
      sleep: () => Promise.resolve(),
    });
    await withContext.create({ ...reserved('default'), capacityType: 'on-demand', labels: {} });
    expect(ec2.commandCalls(CreateFleetCommand)[0]?.args[0].input.Context).toBe('ctx-0123');
  });

  it('a capacity block launches as one; a full reservation is a typed capacity error for its offering', async () => {
    templates.length = 0;
    ec2.on(CreateFleetCommand).resolves({
      Errors: [
        {
          ErrorCode: 'ReservationCapacityExceeded',
          ErrorMessage: 'no capacity left in the reservation',
          LaunchTemplateAndOverrides: {
            Overrides: { InstanceType: 'm5.xlarge', AvailabilityZone: 'us-east-1a' },
          },
        },
      ],
    });
    const err = await cloud()
      .create(reserved('capacity-block'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientCapacityError);
    expect((err as InsufficientCapacityError).offerings).toContainEqual({
      instanceType: 'm5.xlarge',
      zone: 'us-east-1a',
      capacityType: 'reserved',
    });
    const input = ec2.commandCalls(CreateFleetCommand)[0]?.args[0].input;
    expect(input?.TargetCapacitySpecification?.DefaultTargetCapacityType).toBe('capacity-block');
    expect(templates[0]?.InstanceMarketOptions).toEqual({ MarketType: 'capacity-block' });
  });
});
