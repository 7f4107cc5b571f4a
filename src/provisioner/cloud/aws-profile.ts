/**
 * The instance profile for an EC2NodeClass's `role`: created once by Berth (named from the cluster,
 * region and class, tagged), found again after a restart, and its role kept as the class says.
 */
import { createHash } from 'node:crypto';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  GetInstanceProfileCommand,
  RemoveRoleFromInstanceProfileCommand,
  type IAMClient,
  type InstanceProfile,
} from '@aws-sdk/client-iam';
import { withRetry, type RetryOptions } from './aws-errors.js';
import { CloudError } from './provider.js';

export const PROFILE_PATH = '/berth/';

/** `berth_<cluster>_<hash of region and class>`: one per class and region, at most 128 characters. */
export function profileName(cluster: string, region: string, nodeClass: string): string {
  const hash = createHash('sha256').update(`${region}/${nodeClass}`).digest('hex').slice(0, 12);
  return `berth_${cluster.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 110) + `_${hash}`;
}

/** A role's name from its name or ARN (`arn:aws:iam::1:role/path/Name` → `Name`). */
export function roleName(role: string): string {
  return role.split('/').pop() ?? role;
}

export interface ProfileOptions extends RetryOptions {
  readonly iam: IAMClient;
  readonly cluster: string;
  readonly region: string;
}

export class InstanceProfiles {
  /** profile name → role name, as ensured by this process. */
  private readonly ensured = new Map<string, string>();
  /** profile name → the ensure under way: a launch and the class status round share one. */
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly o: ProfileOptions) {}

  private async get(name: string): Promise<InstanceProfile | undefined> {
    try {
      const out = await withRetry(this.o, () =>
        this.o.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })),
      );
      return out.InstanceProfile;
    } catch (e) {
      if (
        (e as { name?: string }).name === 'NoSuchEntityException' ||
        (e as { name?: string }).name === 'NoSuchEntity'
      )
        return undefined;
      throw e;
    }
  }

  /** The profile's name, created (and the role added) when missing. */
  async ensure(nodeClass: string, role: string): Promise<string> {
    const name = profileName(this.o.cluster, this.o.region, nodeClass);
    const want = roleName(role);
    if (this.ensured.get(name) === want) return name;
    const under = this.pending.get(name);
    if (under) return under.then(() => this.ensure(nodeClass, role));
    const p = this.create(name, nodeClass, want).finally(() => this.pending.delete(name));
    this.pending.set(name, p);
    return p;
  }

  private async create(name: string, nodeClass: string, want: string): Promise<string> {
    try {
      let profile = await this.get(name);
      if (!profile) profile = await this.createProfile(name, nodeClass);
      await this.attach(name, profile?.Roles?.map((r) => r.RoleName ?? '') ?? [], want);
    } catch (e) {
      throw new CloudError(`instance profile ${name} for role ${want}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.ensured.set(name, want);
    return name;
  }

  /** Creates the profile; one another process created meanwhile (EntityAlreadyExists) is read instead. */
  private async createProfile(name: string, nodeClass: string): Promise<InstanceProfile | undefined> {
    try {
      const out = await withRetry(this.o, () =>
        this.o.iam.send(
          new CreateInstanceProfileCommand({
            InstanceProfileName: name,
            Path: PROFILE_PATH,
            Tags: [
              { Key: 'berth.dev/cluster', Value: this.o.cluster },
              { Key: 'karpenter.k8s.aws/ec2nodeclass', Value: nodeClass },
              { Key: 'topology.kubernetes.io/region', Value: this.o.region },
            ],
          }),
        ),
      );
      return out.InstanceProfile;
    } catch (e) {
      const n = (e as { name?: string }).name;
      if (n === 'EntityAlreadyExistsException' || n === 'EntityAlreadyExists') return this.get(name);
      throw e;
    }
  }

  private async attach(name: string, roles: readonly string[], want: string): Promise<void> {
    if (roles.includes(want)) return;
    for (const r of roles)
      await withRetry(this.o, () =>
        this.o.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName: r })),
      );
    try {
      await withRetry(this.o, () =>
        this.o.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: want })),
      );
    } catch (e) {
      // Another replica (or an earlier attempt) added it meanwhile: a profile holds one role, and it is ours.
      const now = await this.get(name);
      if (now?.Roles?.some((r) => r.RoleName === want)) return;
      throw e;
    }
  }
}
