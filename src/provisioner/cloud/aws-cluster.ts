/**
 * What a node needs to join the cluster — API endpoint, CA bundle, Service CIDR, Kubernetes version —
 * from flags, and what the flags leave out from EKS DescribeCluster (once; kept for the process).
 */
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { ClusterInfo } from '../nodeclass/userdata/index.js';
import { withRetry, type RetryOptions } from './aws-errors.js';
import { CloudError } from './provider.js';

export type ClusterFlags = Partial<Omit<ClusterInfo, 'name'>> & { readonly name: string };

const FLAG: Record<keyof Omit<ClusterInfo, 'name'>, string> = {
  endpoint: '--cluster-endpoint',
  caBundle: '--cluster-ca-bundle',
  serviceCidr: '--service-cidr',
  kubernetesVersion: '--kubernetes-version',
};

function complete(c: ClusterFlags): ClusterInfo | undefined {
  const { endpoint, caBundle, serviceCidr, kubernetesVersion } = c;
  if (
    endpoint === undefined ||
    caBundle === undefined ||
    serviceCidr === undefined ||
    kubernetesVersion === undefined
  )
    return undefined;
  return { name: c.name, endpoint, caBundle, serviceCidr, kubernetesVersion };
}

export class ClusterSource {
  private found: Promise<ClusterInfo> | undefined;

  constructor(
    private readonly flags: ClusterFlags,
    private readonly eks: EKSClient | undefined,
    private readonly retry: RetryOptions = {},
  ) {}

  info(): Promise<ClusterInfo> {
    this.found ??= this.load();
    this.found.catch(() => {
      this.found = undefined;
    });
    return this.found;
  }

  private async load(): Promise<ClusterInfo> {
    const given = complete(this.flags);
    if (given) return given;
    if (!this.eks) throw new CloudError(this.missing(this.flags));
    const eks = this.eks;
    const out = await withRetry(this.retry, () =>
      eks.send(new DescribeClusterCommand({ name: this.flags.name })),
    ).catch((e: unknown) => {
      throw new CloudError(`EKS DescribeCluster ${this.flags.name}: ${(e as Error).message}`, { cause: e });
    });
    const c = out.cluster;
    const merged: ClusterFlags = {
      name: this.flags.name,
      ...definedOf({
        endpoint: c?.endpoint,
        caBundle: c?.certificateAuthority?.data,
        serviceCidr:
          c?.kubernetesNetworkConfig?.serviceIpv4Cidr ?? c?.kubernetesNetworkConfig?.serviceIpv6Cidr,
        kubernetesVersion: c?.version,
      }),
      ...definedOf(this.flags),
    };
    const info = complete(merged);
    if (!info) throw new CloudError(this.missing(merged));
    return info;
  }

  private missing(c: ClusterFlags): string {
    const absent = (Object.keys(FLAG) as (keyof typeof FLAG)[])
      .filter((k) => c[k] === undefined)
      .map((k) => FLAG[k]);
    return `cluster ${c.name}: ${absent.join(', ')} not given and not found through EKS DescribeCluster`;
  }
}

function definedOf<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
