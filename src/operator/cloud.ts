/**
 * The cloud `berth serve` provisions in: `--cloud` or policies.yaml's provisioner.cloudProvider.
 * aws: EC2 (./aws-cloud.ts, loaded only then). simulated: in memory; in a cluster it registers the
 * Node of each instance (and deletes it on termination) so that the real scheduler binds pods; kwok:
 * the same Nodes, left to a kwok controller. Either simulated cloud takes --kwok-faults (capacity
 * refused, slow launches) and --interruption-queue (EC2's events about its instances, from SQS).
 */
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import type { InterruptionQueue } from '../provisioner/interruption/queue.js';
import type { AwsStack } from '../provisioner/cloud/aws-stack.js';
import type { CloudProvider, Offering } from '../provisioner/cloud/provider.js';
import { shortOf } from '../provisioner/cloud/sim-faults.js';
import { SimulatedCloud } from '../provisioner/cloud/simulated.js';
import type { EC2NodeClass } from '../scheduling/nodepool.js';
import type { Taint } from '../scheduling/taints.js';
import type { CloudFlags, CloudKind } from './cloud-flags.js';
import type { nodeRegistrar } from './registrar.js';
import { SimFaultsFile } from './sim-faults-file.js';
import { sqsInterruptionQueue } from './sqs-queue.js';

export interface CloudSetup {
  readonly cloud: CloudProvider;
  readonly catalog: () => Catalog;
  /** The aws provider's parts (class resolution, launch templates), for the class controller. */
  readonly aws?: AwsStack;
  /** --interruption-queue: the SQS queue of spot interruptions and instance events. */
  readonly queue?: InterruptionQueue;
  stop(): void;
}

export interface CloudContext {
  readonly kind: CloudKind;
  readonly flags: CloudFlags;
  /** The session's catalog: built in, or --catalog (then it is not replaced by EC2's). */
  readonly catalog: Catalog;
  readonly catalogFromFile: boolean;
  readonly logger: Logger;
  readonly registrar?: ReturnType<typeof nodeRegistrar>;
  /** aws: the EC2NodeClass of a name, and a NodePool's start-up taints (the cluster's caches). */
  readonly nodeClass?: (name: string) => EC2NodeClass | undefined;
  readonly startupTaints?: (nodePool: string) => readonly Taint[];
  /** aws: the zones the EC2NodeClasses' resolved subnets are in (the catalog is offered there). */
  readonly classZones?: () => readonly string[];
}

export async function setUpCloud(c: CloudContext): Promise<CloudSetup> {
  if (c.kind === 'aws' && c.flags.kwokFaults !== undefined)
    throw new Error(
      '--kwok-faults injects faults into the simulated cloud: it needs --cloud kwok or simulated',
    );
  if (c.kind === 'aws') return (await import('./aws-cloud.js')).setUpAws(c);
  const faults =
    c.flags.kwokFaults === undefined ? undefined : new SimFaultsFile(c.flags.kwokFaults, c.logger);
  const cloud = new SimulatedCloud({
    catalog: c.catalog,
    clock: () => new Date(),
    ...(c.registrar ?? {}),
    ...(faults
      ? {
          shortOf: (o: Offering) => shortOf(faults.current(), o),
          launchLatencyMs: () => faults.current().launchSeconds * 1000,
        }
      : {}),
  });
  const name = c.flags.interruptionQueue;
  if (name === undefined) return { cloud, catalog: () => c.catalog, stop: () => undefined };
  const sqs = await sqsInterruptionQueue(name, c.flags, c.catalog.region);
  return { cloud, catalog: () => c.catalog, queue: sqs.queue, stop: sqs.stop };
}
