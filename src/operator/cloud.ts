/**
 * The cloud `berth serve` provisions in: `--cloud` or policies.yaml's provisioner.cloudProvider.
 * aws: EC2 (./aws-cloud.ts, loaded only then). simulated: in memory; in a cluster it registers the
 * Node of each instance (and deletes it on termination) so that the real scheduler binds pods; kwok:
 * the same Nodes, left to a kwok controller.
 */
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import type { InterruptionQueue } from '../provisioner/interruption/queue.js';
import type { AwsStack } from '../provisioner/cloud/aws-stack.js';
import type { CloudProvider } from '../provisioner/cloud/provider.js';
import { SimulatedCloud } from '../provisioner/cloud/simulated.js';
import type { EC2NodeClass } from '../scheduling/nodepool.js';
import type { Taint } from '../scheduling/taints.js';
import type { CloudFlags, CloudKind } from './cloud-flags.js';
import type { nodeRegistrar } from './registrar.js';

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
  if (c.kind !== 'aws' && c.flags.interruptionQueue !== undefined)
    throw new Error('--interruption-queue reads EC2 events: it needs --cloud aws');
  if (c.kind === 'aws') return (await import('./aws-cloud.js')).setUpAws(c);
  const cloud = new SimulatedCloud({
    catalog: c.catalog,
    clock: () => new Date(),
    ...(c.registrar ?? {}),
  });
  return { cloud, catalog: () => c.catalog, stop: () => undefined };
}
