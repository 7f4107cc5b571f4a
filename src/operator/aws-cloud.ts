/**
 * The aws cloud: EC2 (with SSM, IAM, EKS and SQS beside it; region and credentials from the usual AWS
 * chain, --aws-endpoint for an emulator) and the catalog described by EC2, refreshed hourly. Loaded
 * only when the cloud is aws: the SDK's clients are tens of MiB of heap the other clouds do not need.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsCatalogSource } from '../catalog/aws-catalog.js';
import { inZones, type Catalog } from '../catalog/catalog.js';
import { awsStack } from '../provisioner/cloud/aws-stack.js';
import { SqsQueue } from '../provisioner/interruption/queue.js';
import type { CloudContext, CloudSetup } from './cloud.js';
import { clusterFlags } from './cloud-flags.js';

const CATALOG_REFRESH_MS = 60 * 60_000;

export function setUpAws(c: CloudContext): CloudSetup {
  const region = c.flags.awsRegion ?? process.env.AWS_REGION ?? c.catalog.region;
  const config = { region, ...(c.flags.awsEndpoint !== undefined ? { endpoint: c.flags.awsEndpoint } : {}) };
  const client = new EC2Client(config);
  const clients = {
    ec2: client,
    ssm: new SSMClient(config),
    iam: new IAMClient(config),
    eks: new EKSClient(config),
    sqs: new SQSClient(config),
  };
  const name = c.flags.interruptionQueue;
  const queue = name !== undefined ? new SqsQueue(clients.sqs, name) : undefined;
  const zones = c.classZones ?? (() => []);
  let current = (): Catalog => c.catalog;
  const aws = awsStack({
    clients,
    cluster: clusterFlags(c.flags),
    region,
    nodeClass: c.nodeClass ?? (() => undefined),
    catalog: () => inZones(current(), zones()),
    ...(c.startupTaints ? { startupTaints: c.startupTaints } : {}),
  });
  const cloud = aws.cloud;
  const destroy = (): void => {
    for (const x of Object.values(clients)) x.destroy();
  };
  const parts = { cloud, aws, ...(queue ? { queue } : {}) };
  if (c.catalogFromFile) return { ...parts, catalog: () => inZones(c.catalog, zones()), stop: destroy };
  const source = new AwsCatalogSource({ client, region, builtin: c.catalog, now: () => new Date() }, (e) => {
    c.logger.error({ err: String(e) }, 'instance catalog not refreshed; the last one stays in use');
  });
  source.start(CATALOG_REFRESH_MS);
  current = () => source.current;
  return {
    ...parts,
    catalog: () => inZones(source.current, zones()),
    stop: () => {
      source.stop();
      destroy();
    },
  };
}
