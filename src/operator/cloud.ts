/**
 * The cloud `berth serve` provisions in: `--cloud` or policies.yaml's provisioner.cloudProvider.
 * aws: an EC2 client (region and credentials from the usual AWS chain; --aws-endpoint for an emulator)
 * and the catalog described by EC2, refreshed hourly. simulated: in memory; in a cluster it registers
 * the Node of each instance (and deletes it on termination) so that the real scheduler binds pods.
 */
import { SOLVER_HEAP_MIB } from '../provisioner/worker/limits.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueue, type InterruptionQueue } from '../provisioner/interruption/queue.js';
import type { KubernetesObjectApi, V1Node } from '@kubernetes/client-node';
import { deleteNode, patchNode } from '../kube/node-writes.js';
import type { NodeApi } from './duties/provisioning-wiring.js';
import type { Logger } from 'pino';
import type { EC2NodeClass, PoolView } from '../scheduling/nodepool.js';
import type { Taint } from '../scheduling/taints.js';
import { AwsCatalogSource } from '../catalog/aws-catalog.js';
import { inZones, type Catalog } from '../catalog/catalog.js';
import { awsStack, type AwsStack } from '../provisioner/cloud/aws-stack.js';
import type { CloudProvider, Instance } from '../provisioner/cloud/provider.js';
import { LABEL } from '../catalog/instance-type.js';
import { randomBytes } from 'node:crypto';
import { SimulatedCloud } from '../provisioner/cloud/simulated.js';
import { statusOf } from '../kube/client.js';

/** The AWS flags `serve` and `nodeclass describe` share: where AWS is, and the cluster nodes join. */
export interface AwsFlags {
  clusterName: string;
  awsRegion?: string;
  awsEndpoint?: string;
  clusterEndpoint?: string;
  clusterCaBundle?: string;
  serviceCidr?: string;
  kubernetesVersion?: string;
}

export interface CloudFlags extends AwsFlags {
  cloud?: string;
  /** --cloud kwok: seconds between a launch and its Node's registration (EC2 takes tens of seconds). */
  kwokRegistrationDelay?: string;
  interruptionQueue?: string;
  nodeJoinTimeout: string;
  solverHeapMb?: string;
}

export interface CloudSetup {
  readonly cloud: CloudProvider;
  readonly catalog: () => Catalog;
  /** The aws provider's parts (class resolution, launch templates), for the class controller. */
  readonly aws?: AwsStack;
  /** --interruption-queue: the SQS queue of spot interruptions and instance events. */
  readonly queue?: InterruptionQueue;
  stop(): void;
}

const CATALOG_REFRESH_MS = 60 * 60_000;

/** Values the shipped manifests hold until a platform team sets them (deploy/berth/settings.env). */
const PLACEHOLDERS = new Set(['change-me', 'my-cluster', '']);

/**
 * The cluster settings still at their placeholders when Berth would launch on AWS (mode berth, cloud
 * aws), each said with where to set it; empty when there is nothing to set.
 */
export function placeholderSettings(
  flags: Pick<AwsFlags, 'clusterName' | 'awsRegion'>,
  env: NodeJS.ProcessEnv,
  mode: 'berth' | 'karpenter' | 'off',
  kind: CloudKind,
): string[] {
  if (mode !== 'berth' || kind !== 'aws') return [];
  const out: string[] = [];
  if (PLACEHOLDERS.has(flags.clusterName.toLowerCase()))
    out.push(
      `the EKS cluster's name (CLUSTER_NAME in deploy/berth/settings.env, or --cluster-name; now "${flags.clusterName}")`,
    );
  const region = flags.awsRegion ?? env.AWS_REGION;
  if (region !== undefined && PLACEHOLDERS.has(region.toLowerCase()))
    out.push(`the AWS region (AWS_REGION in deploy/berth/settings.env, or --aws-region; now "${region}")`);
  return out;
}

/**
 * Where nodes come from: `aws` (EC2), `simulated` (Node objects registered Ready at once), or `kwok`
 * (the simulated cloud's Node objects left to a kwok controller, which makes them Ready and runs their
 * pods, after a registration delay).
 */
export type CloudKind = 'aws' | 'simulated' | 'kwok';

export function cloudKind(flag: string | undefined, fromPolicies: 'aws' | 'simulated'): CloudKind {
  if (flag === undefined) return fromPolicies;
  if (flag !== 'aws' && flag !== 'simulated' && flag !== 'kwok')
    throw new Error(`--cloud must be aws, simulated or kwok, got ${flag}`);
  return flag;
}

/** --kwok-registration-delay in ms (0 when not given). */
export function kwokDelayMs(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`--kwok-registration-delay must be seconds, 0 or more, got ${v}`);
  return n * 1000;
}

export function joinTimeoutMs(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--node-join-timeout must be positive seconds, got ${v}`);
  return n * 1000;
}

export function solverHeapMiB(v: string | undefined): number {
  if (v === undefined) return SOLVER_HEAP_MIB;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 64)
    throw new Error(`--solver-heap-mb must be a whole number of MiB, at least 64, got ${v}`);
  return n;
}

export function nodeClassOf(pools: () => readonly PoolView[]) {
  return (pool: string): string =>
    pools().find((p) => p.name === pool)?.pool.spec.template.spec.nodeClassRef?.name ?? 'default';
}

/**
 * Node registration through the API server, as a kubelet would: at once and Ready (`simulated`), or,
 * for `kwok`, after the registration delay, annotated for kwok and without conditions, so that kwok
 * makes it Ready, keeps it heartbeating and moves its pods through Running and Terminating.
 */
export function nodeRegistrar(api: KubernetesObjectApi, logger: Logger, kwok?: { delayMs: number }) {
  const create = async (node: V1Node): Promise<void> => {
    try {
      await api.create(node);
    } catch (e) {
      // 409: registered before a restart; the Node is already there.
      if (statusOf(e) !== 409) throw e;
    }
    logger.info({ node: node.metadata?.name }, kwok ? 'kwok node registered' : 'simulated node registered');
  };
  return {
    register: async (node: V1Node): Promise<void> => {
      if (!kwok) return create(node);
      const managed = kwokNode(node);
      // The launch returns at once; the Node appears later, as an instance's kubelet registers.
      setTimeout(() => {
        create(managed).catch((e: unknown) => {
          logger.error({ node: node.metadata?.name, err: String(e) }, 'kwok node not registered');
        });
      }, kwok.delayMs).unref();
      return Promise.resolve();
    },
    deregister: async (name: string): Promise<void> => {
      await api.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name } }).catch((e: unknown) => {
        if (statusOf(e) !== 404) logger.warn({ node: name, err: String(e) }, 'simulated node not deleted');
      });
    },
    /** The simulated instances earlier leaders launched: the Nodes they registered. */
    registered: async (): Promise<Instance[]> => {
      const nodes = await api.list<V1Node>('v1', 'Node');
      return nodes.items.flatMap((n) => simulatedInstance(n) ?? []);
    },
    idPrefix: randomBytes(2).toString('hex'),
  };
}

/** The annotation kwok manages Nodes by (run kwok with --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake). */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

/** A simulated instance's Node as kwok manages it: annotated, its conditions left to kwok. */
export function kwokNode(node: V1Node): V1Node {
  const managed = structuredClone(node);
  managed.metadata ??= {};
  managed.metadata.annotations = { ...managed.metadata.annotations, [KWOK_ANNOTATION]: 'fake' };
  if (managed.status) delete managed.status.conditions;
  return managed;
}

/** The simulated instance a Node registered by the simulated cloud stands for. */
function simulatedInstance(n: V1Node): Instance | undefined {
  const providerId = n.spec?.providerID ?? '';
  const m = /^aws:\/\/\/([^/]*)\/(i-sim[0-9a-f]+)$/.exec(providerId);
  const l = n.metadata?.labels ?? {};
  if (!m?.[2]) return undefined;
  return {
    id: m[2],
    claim: n.metadata?.name ?? '',
    nodePool: l[LABEL.nodePool] ?? '',
    instanceType: l[LABEL.instanceType] ?? '',
    zone: m[1] ?? '',
    capacityType: l[LABEL.capacityType] ?? '',
    providerId,
    launchedAt: new Date(n.metadata?.creationTimestamp ?? 0),
  };
}

/** Registration's hands: a merge patch of a Node's labels and taints, and deleting a Node. */
export function nodeApi(api: KubernetesObjectApi): NodeApi {
  return {
    patch: (node, patch) => patchNode(api, node.metadata?.name ?? '', { labels: patch.labels }, patch.taints),
    delete: (name) => deleteNode(api, name),
  };
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

/** The cluster a node joins, as far as the flags say (the rest comes from EKS DescribeCluster). */
export function clusterFlags(f: AwsFlags) {
  return {
    name: f.clusterName,
    ...(f.clusterEndpoint !== undefined ? { endpoint: f.clusterEndpoint } : {}),
    ...(f.clusterCaBundle !== undefined ? { caBundle: f.clusterCaBundle } : {}),
    ...(f.serviceCidr !== undefined ? { serviceCidr: f.serviceCidr } : {}),
    ...(f.kubernetesVersion !== undefined ? { kubernetesVersion: f.kubernetesVersion } : {}),
  };
}

export function setUpCloud(c: CloudContext): CloudSetup {
  if (c.kind !== 'aws' && c.flags.interruptionQueue !== undefined)
    throw new Error('--interruption-queue reads EC2 events: it needs --cloud aws');
  if (c.kind !== 'aws') {
    const cloud = new SimulatedCloud({
      catalog: c.catalog,
      clock: () => new Date(),
      ...(c.registrar ?? {}),
    });
    return { cloud, catalog: () => c.catalog, stop: () => undefined };
  }
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
