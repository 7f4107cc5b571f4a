/**
 * A spot interruption wave for bench:chaos: EC2's two-minute warnings, as EventBridge puts them on the
 * interruption queue (SQS, served by moto_server; `berth serve --interruption-queue`), for a share of
 * the spot Nodes, spread over a minute; two minutes after each warning EC2 takes the instance back,
 * and its state-change notice (terminated) follows for every one whose Node is still there.
 */
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LABEL } from '../../src/catalog/instance-type.js';
import { instanceIdOf } from '../../src/provisioner/cloud/provider.js';
import { MOTO_CREDENTIALS, startMoto, type Moto } from '../../test/cloud/moto.js';

export const QUEUE = 'berth-chaos-interruptions';
const WARNING_MS = 120_000;

export interface NodeSeen {
  name: string;
  labels: Readonly<Record<string, string>>;
  providerId: string | undefined;
}

export class InterruptionQueue {
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly moto: Moto,
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  static async start(): Promise<InterruptionQueue> {
    const moto = await startMoto();
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
    if (QueueUrl === undefined) throw new Error('moto_server created no queue');
    return new InterruptionQueue(moto, sqs, QueueUrl);
  }

  /** berth serve's flags and environment to read the queue. */
  berthFlags(): string[] {
    return ['--interruption-queue', QUEUE, '--aws-endpoint', this.moto.endpoint, '--aws-region', 'us-east-1'];
  }

  static env(): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    };
  }

  private send(detailType: string, detail: object): Promise<unknown> {
    const body = {
      version: '0',
      source: 'aws.ec2',
      'detail-type': detailType,
      time: new Date().toISOString(),
      detail,
    };
    return this.sqs.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: JSON.stringify(body) }));
  }

  /**
   * Warns `share` of the spot Nodes (drawn with `rand`) over `spreadMs`; each one's instance is
   * terminated two minutes after its warning if its Node is still there (`stillThere`). Resolves
   * once every warning is sent; how many.
   */
  async wave(
    nodes: readonly NodeSeen[],
    o: { share: number; spreadMs: number; rand: () => number; stillThere: (name: string) => boolean },
  ): Promise<number> {
    const spot = nodes.filter((n) => n.labels[LABEL.capacityType] === 'spot' && instanceIdOf(n.providerId));
    const shuffled = spot
      .map((n) => ({ n, k: o.rand() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.n);
    const chosen = shuffled.slice(0, Math.round(spot.length * o.share));
    const step = chosen.length > 1 ? o.spreadMs / (chosen.length - 1) : 0;
    for (const [i, n] of chosen.entries()) {
      const id = instanceIdOf(n.providerId) ?? '';
      if (i > 0) await new Promise((r) => setTimeout(r, step));
      await this.send('EC2 Spot Instance Interruption Warning', {
        'instance-id': id,
        'instance-action': 'terminate',
      });
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (o.stillThere(n.name))
          void this.send('EC2 Instance State-change Notification', {
            'instance-id': id,
            state: 'terminated',
          });
      }, WARNING_MS);
      this.timers.add(t);
    }
    return chosen.length;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.sqs.destroy();
    await this.moto.stop();
  }
}
