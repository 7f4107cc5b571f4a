/**
 * The cloud `berth serve` provisions in: `--cloud` or policies.yaml's provisioner.cloudProvider.
 * aws: an EC2 client (region and credentials from the usual AWS chain; --aws-endpoint for an emulator)
 * and the catalog described by EC2, refreshed hourly. simulated: in memory; in a cluster it registers
 * the Node of each instance (and deletes it on termination) so that the real scheduler binds pods.
 */
import { SOLVER_HEAP_MIB } from '../provisioner/worker/limits.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { KubernetesObjectApi, V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PoolView } from '../scheduling/nodepool.js';
import { AwsCatalogSource } from '../provisioner/catalog/aws-catalog.js';
import type { Catalog } from '../provisioner/catalog/catalog.js';
import { AwsCloud } from '../provisioner/cloud/aws.js';
import type { CloudProvider } from '../provisioner/cloud/provider.js';
import { SimulatedCloud } from '../provisioner/cloud/simulated.js';
import { statusOf } from '../kube/client.js';

export interface CloudFlags {
  cloud?: string;
  clusterName: string;
  awsRegion?: string;
  awsEndpoint?: string;
  awsImageId?: string;
  nodeJoinTimeout: string;
  solverHeapMb?: string;
}

export interface CloudSetup {
  readonly cloud: CloudProvider;
  readonly catalog: () => Catalog;
  stop(): void;
}

const CATALOG_REFRESH_MS = 60 * 60_000;

export function cloudKind(flag: string | undefined, fromPolicies: 'aws' | 'simulated'): 'aws' | 'simulated' {
  if (flag === undefined) return fromPolicies;
  if (flag !== 'aws' && flag !== 'simulated')
    throw new Error(`--cloud must be aws or simulated, got ${flag}`);
  return flag;
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

/** Node registration through the API server, as a kubelet (or KWOK) would. */
export function nodeRegistrar(api: KubernetesObjectApi, logger: Logger) {
  return {
    register: async (node: V1Node): Promise<void> => {
      try {
        await api.create(node);
      } catch (e) {
        // 409: registered before a restart; the Node is already there.
        if (statusOf(e) !== 409) throw e;
      }
      logger.info({ node: node.metadata?.name }, 'simulated node registered');
    },
    deregister: async (name: string): Promise<void> => {
      await api.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name } }).catch((e: unknown) => {
        logger.warn({ node: name, err: String(e) }, 'simulated node not deleted');
      });
    },
  };
}

export interface CloudContext {
  readonly kind: 'aws' | 'simulated';
  readonly flags: CloudFlags;
  /** The session's catalog: built in, or --catalog (then it is not replaced by EC2's). */
  readonly catalog: Catalog;
  readonly catalogFromFile: boolean;
  readonly logger: Logger;
  readonly registrar?: ReturnType<typeof nodeRegistrar>;
}

export function setUpCloud(c: CloudContext): CloudSetup {
  if (c.kind === 'simulated') {
    const cloud = new SimulatedCloud({
      catalog: c.catalog,
      clock: () => new Date(),
      ...(c.registrar ?? {}),
    });
    return { cloud, catalog: () => c.catalog, stop: () => undefined };
  }
  const region = c.flags.awsRegion ?? process.env.AWS_REGION ?? c.catalog.region;
  const client = new EC2Client({
    region,
    ...(c.flags.awsEndpoint !== undefined ? { endpoint: c.flags.awsEndpoint } : {}),
  });
  const cloud = new AwsCloud({
    client,
    clusterName: c.flags.clusterName,
    ...(c.flags.awsImageId !== undefined ? { imageId: c.flags.awsImageId } : {}),
  });
  if (c.catalogFromFile)
    return {
      cloud,
      catalog: () => c.catalog,
      stop: () => {
        client.destroy();
      },
    };
  const source = new AwsCatalogSource({ client, region, builtin: c.catalog, now: () => new Date() }, (e) => {
    c.logger.error({ err: String(e) }, 'instance catalog not refreshed; the last one stays in use');
  });
  source.start(CATALOG_REFRESH_MS);
  return {
    cloud,
    catalog: () => source.current,
    stop: () => {
      source.stop();
      client.destroy();
    },
  };
}
