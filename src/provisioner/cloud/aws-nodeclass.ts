/**
 * An EC2NodeClass resolved against AWS as Karpenter resolves it: subnets and security groups from
 * their selector terms, AMIs from an alias (public SSM parameters) or from id / name / tags terms, the
 * instance profile from `role` (created once) or `instanceProfile`, and the user data checked. Each
 * part is a condition; a part that fails is `False` with its reason, never an exception.
 */
import { validateKubeletConfig } from '../nodeclass/kubelet-validation.js';
import { kubeletExpressionProblem } from '../../catalog/kubelet-cel.js';
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import { aliasParameters } from '../nodeclass/alias.js';
import { fieldsSupported } from '../nodeclass/unsupported.js';
import {
  FAMILIES,
  familyName,
  specOf,
  type AmiFamily,
  type Condition,
  type NodeClassSpec,
  type ResolvedAmi,
  type ResolvedSecurityGroup,
  type ResolvedSubnet,
  type Resolution,
  type SelectorTerm,
} from '../nodeclass/spec.js';
import { userDataFor, type ClusterInfo } from '../nodeclass/userdata/index.js';
import type { ClusterSource } from './aws-cluster.js';
import type { AwsLookups, ReservationTerm } from './aws-lookups.js';
import { resolveReservations } from './aws-reservations.js';
import type { InstanceProfiles } from './aws-profile.js';

class Unresolved extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const ok = (type: string, message: string): Condition => ({ type, status: 'True', reason: type, message });

async function part<T>(
  type: string,
  failReason: string,
  fn: () => Promise<T>,
): Promise<{ value: T | undefined; condition: Condition }> {
  try {
    return { value: await fn(), condition: ok(type, '') };
  } catch (e) {
    const reason = e instanceof Unresolved ? e.reason : failReason;
    return { value: undefined, condition: { type, status: 'False', reason, message: (e as Error).message } };
  }
}

function unique<T extends { id: string }>(xs: readonly T[]): T[] {
  return [...new Map(xs.map((x) => [x.id, x])).values()];
}

function describe(term: SelectorTerm): string {
  return JSON.stringify(term);
}

export interface ResolverDeps {
  readonly lookups: AwsLookups;
  /** For a capacity block's expiring state (default: the wall clock). */
  readonly now?: () => Date;
  readonly profiles: InstanceProfiles;
  readonly cluster: ClusterSource;
}

export class NodeClassResolver {
  constructor(private readonly d: ResolverDeps) {}

  async resolve(cls: EC2NodeClass): Promise<Resolution> {
    const spec = specOf(cls);
    const name = cls.metadata.name;
    const written = familyName(spec);
    const family = FAMILIES.find((f) => f === written);
    const cluster = await part('ClusterReady', 'ClusterUnknown', () => this.d.cluster.info());
    const [subnets, groups, amis, profile, reservations] = await Promise.all([
      part('SubnetsReady', 'SubnetsResolutionFailed', () => this.subnets(spec)),
      part('SecurityGroupsReady', 'SecurityGroupsResolutionFailed', () => this.groups(spec)),
      part('AMIsReady', 'AMIsResolutionFailed', () => this.amis(spec, family, written, cluster.value)),
      part('InstanceProfileReady', 'InstanceProfileResolutionFailed', () => this.profile(name, spec)),
      part('CapacityReservationsReady', 'CapacityReservationsResolutionFailed', () =>
        resolveReservations(
          this.d.lookups,
          (spec.capacityReservationSelectorTerms ?? []) as ReservationTerm[],
          (this.d.now ?? (() => new Date()))(),
        ),
      ),
    ]);
    const validation = await part('ValidationSucceeded', 'UserDataInvalid', () => {
      // Karpenter v1.15: spec.kubelet is an open map the API server leaves unchecked; it is checked here.
      const kubelet = validateKubeletConfig(spec.kubelet);
      if (kubelet.length > 0) throw new Unresolved('InvalidKubeletConfiguration', kubelet.join('; '));
      const expression = kubeletExpressionProblem(
        spec.kubelet as Readonly<Record<string, unknown>> | undefined,
      );
      if (expression !== undefined) throw new Unresolved('KubeletExpressionInvalid', expression);
      if (!cluster.value) throw new Unresolved('ClusterUnknown', cluster.condition.message);
      return Promise.resolve(this.validate(spec, family, cluster.value));
    });
    const parts = [
      subnets.condition,
      groups.condition,
      amis.condition,
      profile.condition,
      validation.condition,
    ];
    const bad = parts.find((c) => c.status === 'False');
    const ready: Condition = bad
      ? { type: 'Ready', status: 'False', reason: bad.reason, message: bad.message }
      : ok('Ready', '');
    return {
      name,
      family: family ?? 'Custom',
      subnets: subnets.value ?? [],
      securityGroups: groups.value ?? [],
      amis: amis.value ?? [],
      instanceProfile: profile.value,
      capacityReservations: reservations.value ?? [],
      // FieldsSupported reports what Berth leaves out and CapacityReservationsReady whether the
      // reservations were read; neither keeps the class from launching on demand or spot.
      conditions: [...parts, reservations.condition, fieldsSupported(spec), ready],
    };
  }

  private async subnets(spec: NodeClassSpec): Promise<ResolvedSubnet[]> {
    const terms = spec.subnetSelectorTerms ?? [];
    if (terms.length === 0) throw new Unresolved('SubnetsNotFound', 'spec.subnetSelectorTerms is empty');
    const found = unique((await Promise.all(terms.map((t) => this.d.lookups.subnets(t)))).flat());
    if (found.length === 0)
      throw new Unresolved(
        'SubnetsNotFound',
        `no subnet matches subnetSelectorTerms ${terms.map(describe).join(', ')}`,
      );
    return found.sort((a, b) => a.zone.localeCompare(b.zone) || b.freeIps - a.freeIps);
  }

  private async groups(spec: NodeClassSpec): Promise<ResolvedSecurityGroup[]> {
    const terms = spec.securityGroupSelectorTerms ?? [];
    if (terms.length === 0)
      throw new Unresolved('SecurityGroupsNotFound', 'spec.securityGroupSelectorTerms is empty');
    const found = unique((await Promise.all(terms.map((t) => this.d.lookups.securityGroups(t)))).flat());
    if (found.length === 0)
      throw new Unresolved(
        'SecurityGroupsNotFound',
        `no security group matches securityGroupSelectorTerms ${terms.map(describe).join(', ')}`,
      );
    return found;
  }

  private async amis(
    spec: NodeClassSpec,
    family: AmiFamily | undefined,
    written: string,
    cluster: ClusterInfo | undefined,
  ): Promise<ResolvedAmi[]> {
    if (family === undefined)
      throw new Unresolved(
        'AMIFamilyNotSupported',
        written === ''
          ? 'spec.amiFamily is required when no alias is given'
          : `AMI family ${written}: Berth bootstraps AL2023, Bottlerocket and Custom`,
      );
    const terms = spec.amiSelectorTerms ?? [];
    if (terms.length === 0) throw new Unresolved('AMINotFound', 'spec.amiSelectorTerms is empty');
    const alias = terms.find((t) => t.alias !== undefined)?.alias;
    const found = alias !== undefined ? await this.aliased(alias, cluster) : await this.selected(terms);
    return unique(found).sort((a, b) => b.created.localeCompare(a.created));
  }

  private async aliased(alias: string, cluster: ClusterInfo | undefined): Promise<ResolvedAmi[]> {
    if (!cluster)
      throw new Unresolved('AMINotFound', `alias ${alias}: the cluster's Kubernetes version is unknown`);
    const r = aliasParameters(alias, cluster.kubernetesVersion);
    if ('error' in r) throw new Unresolved('AMINotFound', r.error);
    const out: ResolvedAmi[] = [];
    for (const p of r.parameters) {
      const id = await this.d.lookups.parameter(p.path, r.mutable);
      if (id === undefined) continue;
      const [image] = await this.d.lookups.images({ id });
      out.push({
        id,
        name: image?.name ?? '',
        arch: p.arch,
        created: image?.created ?? '',
        variant: p.variant,
      });
    }
    if (out.length === 0)
      throw new Unresolved(
        'AMINotFound',
        `alias ${alias} names no image: ${r.parameters.map((p) => p.path).join(', ')} not found in SSM`,
      );
    return out;
  }

  private async selected(terms: readonly SelectorTerm[]): Promise<ResolvedAmi[]> {
    const found = (await Promise.all(terms.map((t) => this.selectedBy(t)))).flat();
    if (found.length === 0)
      throw new Unresolved(
        'AMINotFound',
        `no image matches amiSelectorTerms ${terms.map(describe).join(', ')}`,
      );
    return found;
  }

  /** One term's images; an `ssmParameter` term is the image whose id the parameter holds. */
  private async selectedBy(term: SelectorTerm): Promise<ResolvedAmi[]> {
    if (term.ssmParameter === undefined) return this.d.lookups.images(term);
    const id = await this.d.lookups.parameter(term.ssmParameter, true);
    return id === undefined ? [] : this.d.lookups.images({ id });
  }

  private async profile(name: string, spec: NodeClassSpec): Promise<string> {
    if (spec.instanceProfile !== undefined) return spec.instanceProfile;
    if (spec.role === undefined)
      throw new Unresolved('InstanceProfileNotFound', 'spec.role or spec.instanceProfile is required');
    return this.d.profiles.ensure(name, spec.role);
  }

  private validate(spec: NodeClassSpec, family: AmiFamily | undefined, cluster: ClusterInfo): string {
    return userDataFor(family ?? 'Custom', {
      cluster,
      labels: {},
      taints: [],
      maxPods: 110,
      ...(spec.userData !== undefined ? { userData: spec.userData } : {}),
    });
  }
}
