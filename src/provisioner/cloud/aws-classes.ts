/**
 * The EC2NodeClasses as launches need them: the class object (from the cluster's cache or files),
 * its resolution (kept for a minute; the class controller refreshes it and writes it to the status),
 * and the cluster to join. A class that is missing or not Ready is a typed error, not a launch.
 */
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import { canonicalJson } from '../../util/canonical.js';
import { isReady, notReadyMessage, specOf, type NodeClassSpec, type Resolution } from '../nodeclass/spec.js';
import type { ClusterInfo } from '../nodeclass/userdata/index.js';
import type { ClusterSource } from './aws-cluster.js';
import type { NodeClassResolver } from './aws-nodeclass.js';
import { NodeClassNotReadyError } from './provider.js';
import { TtlCache } from './ttl-cache.js';

export const RESOLUTION_TTL_MS = 60_000;

export interface ReadyClass {
  readonly cls: EC2NodeClass;
  readonly spec: NodeClassSpec;
  readonly resolution: Resolution;
  readonly cluster: ClusterInfo;
}

export interface ClassesDeps {
  readonly get: (name: string) => EC2NodeClass | undefined;
  readonly resolver: NodeClassResolver;
  readonly cluster: ClusterSource;
  readonly now?: () => number;
}

export class NodeClasses {
  private readonly cache: TtlCache<Resolution>;

  constructor(private readonly d: ClassesDeps) {
    this.cache = new TtlCache(d.now ?? Date.now);
  }

  /** The class resolved now (or within the last minute, for the same spec). */
  resolve(cls: EC2NodeClass, fresh = false): Promise<Resolution> {
    const key = `${cls.metadata.name}:${canonicalJson(cls.spec ?? {})}`;
    return this.cache.get(key, fresh ? 0 : RESOLUTION_TTL_MS, () => this.d.resolver.resolve(cls));
  }

  async ready(name: string): Promise<ReadyClass> {
    const cls = this.d.get(name);
    if (!cls) throw new NodeClassNotReadyError(name, 'NodeClassNotFound', 'no EC2NodeClass of that name');
    const resolution = await this.resolve(cls);
    if (!isReady(resolution)) {
      const ready = resolution.conditions.find((c) => c.type === 'Ready');
      throw new NodeClassNotReadyError(
        name,
        ready?.reason ?? 'NotReady',
        notReadyMessage(resolution).replace(/^[^:]*: /, ''),
      );
    }
    return { cls, spec: specOf(cls), resolution, cluster: await this.d.cluster.info() };
  }
}
