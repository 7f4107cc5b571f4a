/** The interruption queue against moto_server's SQS: long-poll receive, delete once handled. */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptionController } from '../../src/provisioner/interruption/controller.js';
import { SqsQueue } from '../../src/provisioner/interruption/queue.js';
import { motoClients, startMoto, stopMoto, type Moto } from './moto.js';

let moto: Moto;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  sqs = motoClients(moto.endpoint).sqs;
}, 60_000);

afterAll(async () => {
  await stopMoto(moto, { sqs });
});

describe('SQS interruption queue', () => {
  it('reads EventBridge messages and deletes each once handled (a malformed one too)', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'berth-interruptions' }));
    const spot = {
      source: 'aws.ec2',
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      detail: { 'instance-id': 'i-1' },
    };
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(spot) }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'not an event' }));
    const counted: string[] = [];
    const marked: string[] = [];
    const controller = new InterruptionController({
      queue: new SqsQueue(sqs, 'berth-interruptions', 1),
      nodes: () => [
        {
          metadata: { name: 'n1', labels: { 'karpenter.sh/nodepool': 'batch' } },
          spec: { providerID: 'aws:///us-east-1a/i-1' },
        },
      ],
      ops: {
        mark: (n) => {
          marked.push(n.metadata?.name ?? '');
          return Promise.resolve();
        },
        terminate: () => Promise.resolve(),
      },
      markUnavailable: () => undefined,
      provisionNow: () => undefined,
      drainNow: () => undefined,
      events: { emit: () => undefined },
      logger: pino({ level: 'silent' }),
      count: (kind, result) => counted.push(`${kind}:${result}`),
      clock: () => new Date(),
    });
    let deleted = 0;
    for (let i = 0; i < 5 && deleted < 2; i++) deleted += await controller.poll();
    expect(deleted).toBe(2);
    expect(marked).toEqual(['n1']);
    expect(counted.sort()).toEqual(['malformed:malformed', 'spotInterruption:handled']);
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('0');
    expect(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('says which queue it cannot find', async () => {
    await expect(new SqsQueue(sqs, 'no-such-queue', 0).receive()).rejects.toThrow(
      'interruption queue no-such-queue',
    );
  });
});
