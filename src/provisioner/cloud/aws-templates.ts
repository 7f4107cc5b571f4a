/**
 * Launch templates, one per distinct content (class, image, labels, taints, max pods …): named from
 * the hash of what they hold (`berth/<cluster>/<hash>`), so the same node shape reuses one template,
 * and a restart finds it again instead of creating another. Templates no launch used for a while are
 * deleted (`collect`).
 */
import { createHash } from 'node:crypto';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  type EC2Client,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import { canonicalJson } from '../../util/canonical.js';
import { withRetry, type RetryOptions } from './aws-errors.js';
import { CloudError } from './provider.js';

export const TEMPLATE_IDLE_MS = 60 * 60_000;

export interface TemplateOptions extends RetryOptions {
  readonly client: EC2Client;
  readonly cluster: string;
  readonly now?: () => number;
}

export function templateName(cluster: string, data: RequestLaunchTemplateData): string {
  const hash = createHash('sha256').update(canonicalJson(data)).digest('hex').slice(0, 24);
  return `berth/${cluster}/${hash}`.slice(0, 128);
}

function code(e: unknown): string {
  const err = e as { name?: string; Code?: string };
  return err.Code ?? err.name ?? '';
}

export class LaunchTemplates {
  /** Template name → last used (ms). */
  private readonly used = new Map<string, number>();
  /** Creations under way, by template name. */
  private readonly creating = new Map<string, Promise<void>>();

  constructor(private readonly o: TemplateOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /**
   * The template's name, created when this process has not seen it (an existing one is the same
   * content). Launches run in parallel: those that need one template wait on the same creation.
   */
  async ensure(data: RequestLaunchTemplateData, nodeClass: string): Promise<string> {
    const name = templateName(this.o.cluster, data);
    if (!this.used.has(name)) {
      let creating = this.creating.get(name);
      if (!creating) {
        creating = this.create(name, data, nodeClass).finally(() => this.creating.delete(name));
        this.creating.set(name, creating);
      }
      await creating;
    }
    this.used.set(name, this.now());
    return name;
  }

  private async create(name: string, data: RequestLaunchTemplateData, nodeClass: string): Promise<void> {
    try {
      await withRetry(this.o, () =>
        this.o.client.send(
          new CreateLaunchTemplateCommand({
            LaunchTemplateName: name,
            LaunchTemplateData: data,
            TagSpecifications: [
              {
                ResourceType: 'launch-template',
                Tags: [
                  { Key: 'berth.dev/cluster', Value: this.o.cluster },
                  { Key: 'karpenter.k8s.aws/ec2nodeclass', Value: nodeClass },
                ],
              },
            ],
          }),
        ),
      );
    } catch (e) {
      if (!code(e).includes('AlreadyExists'))
        throw new CloudError(`CreateLaunchTemplate ${name}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Deletes this cluster's templates no launch used within `idleMs`; returns their names. */
  async collect(idleMs = TEMPLATE_IDLE_MS): Promise<string[]> {
    const deleted: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await withRetry(this.o, () =>
        this.o.client.send(
          new DescribeLaunchTemplatesCommand({
            Filters: [{ Name: 'tag:berth.dev/cluster', Values: [this.o.cluster] }],
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      );
      for (const t of page.LaunchTemplates ?? []) {
        const name = t.LaunchTemplateName ?? '';
        const last = this.used.get(name) ?? t.CreateTime?.getTime() ?? 0;
        if (this.now() - last < idleMs) continue;
        await withRetry(this.o, () =>
          this.o.client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: name })),
        );
        this.used.delete(name);
        deleted.push(name);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return deleted;
  }
}
