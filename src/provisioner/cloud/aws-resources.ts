/**
 * What launching needs besides the fleet: one subnet per zone (discovered by Karpenter's
 * `karpenter.sh/discovery: <cluster>` tag unless given) and a launch template per EC2NodeClass
 * (`berth-<cluster>-<class>`, created from the image and instance profile given when it is missing).
 */
import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CloudError } from './provider.js';

export interface AwsResourceOptions {
  /** zone → subnet id; discovered by tag when absent. */
  readonly subnets?: Readonly<Record<string, string>>;
  /** AMI for launch templates Berth creates. */
  readonly imageId?: string;
  readonly instanceProfile?: string;
}

export class AwsResources {
  private subnetCache: Map<string, string> | undefined;
  private readonly templates = new Set<string>();

  constructor(
    private readonly client: EC2Client,
    private readonly cluster: string,
    private readonly opts: AwsResourceOptions,
  ) {}

  async subnets(): Promise<Map<string, string>> {
    if (this.subnetCache) return this.subnetCache;
    if (this.opts.subnets) return (this.subnetCache = new Map(Object.entries(this.opts.subnets)));
    const out = await this.client.send(
      new DescribeSubnetsCommand({
        Filters: [{ Name: 'tag:karpenter.sh/discovery', Values: [this.cluster] }],
      }),
    );
    const byZone = new Map<string, string>();
    const sorted = [...(out.Subnets ?? [])].sort(
      (a, b) => (b.AvailableIpAddressCount ?? 0) - (a.AvailableIpAddressCount ?? 0),
    );
    for (const s of sorted)
      if (s.AvailabilityZone && s.SubnetId && !byZone.has(s.AvailabilityZone))
        byZone.set(s.AvailabilityZone, s.SubnetId);
    if (byZone.size === 0) throw new CloudError(`no subnet tagged karpenter.sh/discovery=${this.cluster}`);
    return (this.subnetCache = byZone);
  }

  async launchTemplate(nodeClass: string): Promise<string> {
    const name = `berth-${this.cluster}-${nodeClass}`;
    if (this.templates.has(name)) return name;
    const found = await this.client
      .send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] }))
      .then((o) => (o.LaunchTemplates?.length ?? 0) > 0)
      .catch((e: unknown) => {
        if ((e as { name?: string }).name?.includes('NotFound')) return false;
        throw e;
      });
    if (!found) {
      if (!this.opts.imageId)
        throw new CloudError(`launch template ${name} is missing and no image id was given to create it`);
      await this.client.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: name,
          LaunchTemplateData: {
            ImageId: this.opts.imageId,
            ...(this.opts.instanceProfile ? { IamInstanceProfile: { Name: this.opts.instanceProfile } } : {}),
            MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
          },
          TagSpecifications: [
            { ResourceType: 'launch-template', Tags: [{ Key: 'berth.dev/cluster', Value: this.cluster }] },
          ],
        }),
      );
    }
    this.templates.add(name);
    return name;
  }
}
