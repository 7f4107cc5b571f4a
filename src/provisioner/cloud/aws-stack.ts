/**
 * The aws provider put together from its clients: look-ups, instance profiles, the cluster to join,
 * class resolution, launch templates and the cloud itself — the same pieces `berth serve --cloud aws`
 * launches with and `berth nodeclass describe` prints from.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Catalog } from '../../catalog/catalog.js';
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import type { Taint } from '../../scheduling/taints.js';
import { AwsCloud } from './aws.js';
import { NodeClasses } from './aws-classes.js';
import { ClusterSource, type ClusterFlags } from './aws-cluster.js';
import type { RetryOptions } from './aws-errors.js';
import { AwsLookups } from './aws-lookups.js';
import { NodeClassResolver } from './aws-nodeclass.js';
import { InstanceProfiles } from './aws-profile.js';
import { LaunchTemplates } from './aws-templates.js';

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly iam: IAMClient;
  /** For what the cluster flags leave out (DescribeCluster); absent: the flags must say it all. */
  readonly eks?: EKSClient;
}

export interface AwsStackOptions extends RetryOptions {
  readonly clients: AwsClients;
  readonly cluster: ClusterFlags;
  readonly region: string;
  /** The EC2NodeClass of a name (the cluster's cache, or files). */
  readonly nodeClass: (name: string) => EC2NodeClass | undefined;
  readonly catalog: () => Catalog;
  readonly startupTaints?: (nodePool: string) => readonly Taint[];
  readonly now?: () => number;
}

export interface AwsStack {
  readonly cloud: AwsCloud;
  readonly classes: NodeClasses;
  readonly templates: LaunchTemplates;
  readonly cluster: ClusterSource;
}

export function awsStack(o: AwsStackOptions): AwsStack {
  const retry: RetryOptions = {
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
  };
  const now = o.now ?? Date.now;
  const { ec2, ssm, iam, eks } = o.clients;
  const lookups = new AwsLookups({ ...retry, ec2, ssm, now });
  const profiles = new InstanceProfiles({ ...retry, iam, cluster: o.cluster.name, region: o.region });
  const cluster = new ClusterSource(o.cluster, eks, retry);
  const resolver = new NodeClassResolver({ lookups, profiles, cluster });
  const classes = new NodeClasses({ get: o.nodeClass, resolver, cluster, now });
  const templates = new LaunchTemplates({ ...retry, client: ec2, cluster: o.cluster.name, now });
  const cloud = new AwsCloud({
    ...retry,
    client: ec2,
    clusterName: o.cluster.name,
    classes,
    templates,
    catalog: o.catalog,
    ...(o.startupTaints ? { startupTaints: o.startupTaints } : {}),
  });
  return { cloud, classes, templates, cluster };
}
