/**
 * The AWS look-ups an EC2NodeClass's selector terms need — subnets, security groups, images, SSM
 * parameters — one call per term, each answer cached for a while (a public SSM alias for an hour, a
 * pinned one for good). The clients are passed in; errors stay typed and carry their cause.
 */
import {
  DescribeCapacityReservationsCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type CapacityReservation as Ec2Reservation,
  type DescribeCapacityReservationsCommandInput,
  type EC2Client,
  type Filter,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { canonicalJson } from '../../util/canonical.js';
import { withRetry, type RetryOptions } from './aws-errors.js';
import { CloudError } from './provider.js';
import { TtlCache } from './ttl-cache.js';
import type { ResolvedAmi, ResolvedSecurityGroup, ResolvedSubnet, SelectorTerm } from '../nodeclass/spec.js';

const SELECTOR_TTL_MS = 5 * 60_000;
/** Reservations fill and empty as instances come and go: looked up again each minute, as Karpenter polls. */
const RESERVATION_TTL_MS = 60_000;
const MUTABLE_PARAMETER_TTL_MS = 60 * 60_000;
const PINNED_PARAMETER_TTL_MS = 24 * 60 * 60_000;

/** Filters for one selector term: `tags` (a value of `*` means the key alone), `id`, `name`. */
export function termFilters(term: SelectorTerm, kind: 'subnet' | 'security-group' | 'image'): Filter[] {
  const out: Filter[] = [];
  const idFilter = { subnet: 'subnet-id', 'security-group': 'group-id', image: 'image-id' }[kind];
  if (term.id !== undefined) out.push({ Name: idFilter, Values: [term.id] });
  if (term.name !== undefined)
    out.push({ Name: kind === 'image' ? 'name' : 'group-name', Values: [term.name] });
  for (const [k, v] of Object.entries(term.tags ?? {}))
    out.push(v === '*' ? { Name: 'tag-key', Values: [k] } : { Name: `tag:${k}`, Values: [v] });
  return out;
}

/** A capacityReservationSelectorTerms entry. */
export interface ReservationTerm {
  readonly id?: string;
  readonly ownerID?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly instanceMatchCriteria?: string;
}

/** The DescribeCapacityReservations request for a term: active ones, by id or by filters. */
export function reservationQuery(term: ReservationTerm): DescribeCapacityReservationsCommandInput {
  const filters: Filter[] = [{ Name: 'state', Values: ['active'] }];
  if (term.id !== undefined) return { Filters: filters, CapacityReservationIds: [term.id] };
  if (term.ownerID !== undefined) filters.push({ Name: 'owner-id', Values: [term.ownerID] });
  for (const [k, v] of Object.entries(term.tags ?? {}))
    filters.push(v === '*' ? { Name: 'tag-key', Values: [k] } : { Name: `tag:${k}`, Values: [v] });
  if (term.instanceMatchCriteria !== undefined)
    filters.push({ Name: 'instance-match-criteria', Values: [term.instanceMatchCriteria] });
  return { Filters: filters, MaxResults: 1000 };
}

function archOf(a: string | undefined): string {
  return a === 'arm64' ? 'arm64' : a === 'x86_64' ? 'amd64' : (a ?? '');
}

function typed(what: string, e: unknown): CloudError {
  const err = e as { name?: string; message?: string };
  return new CloudError(`${what}: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`, { cause: e });
}

export interface LookupOptions extends RetryOptions {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly now?: () => number;
}

export class AwsLookups {
  private readonly cache: TtlCache<unknown>;

  constructor(private readonly o: LookupOptions) {
    this.cache = new TtlCache(o.now ?? Date.now);
  }

  private cached<T>(key: string, ttl: number, what: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, ttl, () =>
      withRetry(this.o, load).catch((e: unknown) => {
        throw e instanceof CloudError ? e : typed(what, e);
      }),
    ) as Promise<T>;
  }

  subnets(term: SelectorTerm): Promise<ResolvedSubnet[]> {
    return this.cached(`subnet:${canonicalJson(term)}`, SELECTOR_TTL_MS, 'DescribeSubnets', async () => {
      const out = await this.o.ec2.send(new DescribeSubnetsCommand({ Filters: termFilters(term, 'subnet') }));
      return (out.Subnets ?? []).flatMap((s) =>
        s.SubnetId && s.AvailabilityZone
          ? [{ id: s.SubnetId, zone: s.AvailabilityZone, freeIps: s.AvailableIpAddressCount ?? 0 }]
          : [],
      );
    });
  }

  securityGroups(term: SelectorTerm): Promise<ResolvedSecurityGroup[]> {
    return this.cached(`sg:${canonicalJson(term)}`, SELECTOR_TTL_MS, 'DescribeSecurityGroups', async () => {
      const out = await this.o.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: termFilters(term, 'security-group') }),
      );
      return (out.SecurityGroups ?? []).flatMap((g) =>
        g.GroupId ? [{ id: g.GroupId, name: g.GroupName ?? '' }] : [],
      );
    });
  }

  /** Images a term selects; a name without an owner looks in this account's and Amazon's. */
  images(term: SelectorTerm): Promise<ResolvedAmi[]> {
    return this.cached(`ami:${canonicalJson(term)}`, SELECTOR_TTL_MS, 'DescribeImages', async () => {
      const owners =
        term.owner !== undefined ? [term.owner] : term.name !== undefined ? ['self', 'amazon'] : [];
      const out = await this.o.ec2.send(
        new DescribeImagesCommand({
          Filters: termFilters(term, 'image'),
          ...(owners.length > 0 ? { Owners: owners } : {}),
        }),
      );
      return (out.Images ?? []).flatMap((i) =>
        i.ImageId && i.State !== 'deregistered'
          ? [
              {
                id: i.ImageId,
                name: i.Name ?? '',
                arch: archOf(i.Architecture),
                created: i.CreationDate ?? '',
              },
            ]
          : [],
      );
    });
  }

  /**
   * The active capacity reservations a term selects (Karpenter's capacityreservation.Query): by id, or
   * by owner, tags and instance match criteria.
   */
  capacityReservations(term: ReservationTerm): Promise<Ec2Reservation[]> {
    return this.cached(
      `cr:${canonicalJson(term)}`,
      RESERVATION_TTL_MS,
      'DescribeCapacityReservations',
      async () => {
        const out = await this.o.ec2.send(new DescribeCapacityReservationsCommand(reservationQuery(term)));
        return out.CapacityReservations ?? [];
      },
    );
  }

  /** An SSM parameter's value, or undefined when there is no such parameter. */
  parameter(name: string, mutable: boolean): Promise<string | undefined> {
    const ttl = mutable ? MUTABLE_PARAMETER_TTL_MS : PINNED_PARAMETER_TTL_MS;
    return this.cached(`ssm:${name}`, ttl, `SSM GetParameter ${name}`, async () => {
      try {
        const out = await this.o.ssm.send(new GetParameterCommand({ Name: name }));
        return out.Parameter?.Value;
      } catch (e) {
        if ((e as { name?: string }).name === 'ParameterNotFound') return undefined;
        throw e;
      }
    });
  }
}
