/**
 * The EC2NodeClass status controller (leader only): resolves each class (on change and every minute)
 * and writes what it resolved to — subnets, security groups, AMIs, instance profile, conditions — to
 * the class's status, with a Warning Event when it stops being Ready. Launch templates no launch used
 * for an hour are deleted on the way. Everything it touches is passed in.
 */
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { EC2NodeClass } from '../../scheduling/nodepool.js';
import { canonicalJson } from '../../util/canonical.js';
import { isReady, notReadyMessage, statusOf, type Condition, type Resolution } from '../nodeclass/spec.js';

export interface NodeClassStatusDeps {
  readonly list: () => readonly EC2NodeClass[];
  readonly resolve: (cls: EC2NodeClass) => Promise<Resolution>;
  readonly writeStatus: (name: string, status: Record<string, unknown>) => Promise<void>;
  /** Deletes unused launch templates (aws), returns their names. */
  readonly collect?: () => Promise<string[]>;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly clock: () => Date;
}

const COLLECT_EVERY_MS = 10 * 60_000;

type Status = { conditions?: Condition[] } & Record<string, unknown>;

/** The status without transition times: what a change is judged on. */
function comparable(s: Record<string, unknown>): string {
  const conditions = (s.conditions as Condition[] | undefined)?.map((c) => ({
    ...c,
    lastTransitionTime: undefined,
  }));
  return canonicalJson({ ...s, conditions });
}

export class NodeClassStatusController {
  private lastCollect = 0;

  constructor(private readonly d: NodeClassStatusDeps) {}

  /** Resolves every class; returns the names of those not Ready. */
  async round(): Promise<string[]> {
    const notReady: string[] = [];
    for (const cls of this.d.list()) {
      if (!(await this.one(cls))) notReady.push(cls.metadata.name);
    }
    await this.collect();
    return notReady;
  }

  private async one(cls: EC2NodeClass): Promise<boolean> {
    const name = cls.metadata.name;
    let r: Resolution;
    try {
      r = await this.d.resolve(cls);
    } catch (e) {
      this.d.logger.warn({ nodeClass: name, err: String(e) }, 'EC2NodeClass not resolved');
      return false;
    }
    const before = (cls as { status?: Status }).status ?? {};
    const status = statusOf(r, this.d.clock(), before.conditions);
    const ready = isReady(r);
    const wasReady = before.conditions?.find((c) => c.type === 'Ready')?.status;
    if (!ready && wasReady !== 'False')
      this.d.events.emit({
        involved: { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', namespace: '', name },
        type: 'Warning',
        reason: 'NodeClassNotReady',
        message: `its NodePools launch nothing until it resolves: ${notReadyMessage(r)}`,
      });
    if (comparable(status) === comparable(before)) return ready;
    try {
      await this.d.writeStatus(name, status);
      this.d.logger.info(
        { nodeClass: name, ready, reason: ready ? undefined : notReadyMessage(r) },
        'EC2NodeClass status',
      );
    } catch (e) {
      this.d.logger.warn({ nodeClass: name, err: String(e) }, 'EC2NodeClass status not written');
    }
    return ready;
  }

  private async collect(): Promise<void> {
    const now = this.d.clock().getTime();
    if (!this.d.collect || now - this.lastCollect < COLLECT_EVERY_MS) return;
    this.lastCollect = now;
    try {
      const deleted = await this.d.collect();
      if (deleted.length > 0)
        this.d.logger.info({ launchTemplates: deleted }, 'unused launch templates deleted');
    } catch (e) {
      this.d.logger.warn({ err: String(e) }, 'launch templates not collected');
    }
  }
}
