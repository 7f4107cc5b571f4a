/**
 * The cloud flags of `berth serve` (and the AWS ones `nodeclass describe` shares), read into values:
 * no SDK here, so --local and the CLI load none of AWS's clients.
 */
import type { PoolView } from '../scheduling/nodepool.js';
import { SOLVER_HEAP_MIB, SOLVER_NICE } from '../provisioner/worker/limits.js';

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
  /** --cloud kwok or simulated: a file of faults (offerings with no capacity, launch latency), re-read when it changes. */
  kwokFaults?: string;
  interruptionQueue?: string;
  nodeJoinTimeout: string;
  solverHeapMb?: string;
  solverNice?: string;
  /** The main thread's nice value once the gate's thread runs (main-nice.ts). */
  mainNice?: string;
}

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

export function solverNice(v: string | undefined): number {
  if (v === undefined) return SOLVER_NICE;
  const n = Number(v);
  // Raising a thread's priority above the process's (a negative nice) needs CAP_SYS_NICE.
  if (!Number.isInteger(n) || n < 0 || n > 19)
    throw new Error(`--solver-nice must be a whole number from 0 to 19, got ${v}`);
  return n;
}

export function nodeClassOf(pools: () => readonly PoolView[]) {
  return (pool: string): string =>
    pools().find((p) => p.name === pool)?.pool.spec.template.spec.nodeClassRef?.name ?? 'default';
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
