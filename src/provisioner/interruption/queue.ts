/** The SQS queue EventBridge fills: long-polled receive, delete once handled. The client is passed in. */
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { CloudError } from '../cloud/provider.js';

export interface QueueMessage {
  readonly id: string;
  readonly body: string | undefined;
  readonly receipt: string;
}

export interface InterruptionQueue {
  /** Waits for messages (long poll); `signal` ends the wait early. */
  receive(signal?: AbortSignal): Promise<QueueMessage[]>;
  delete(receipt: string): Promise<void>;
}

export class SqsQueue implements InterruptionQueue {
  private url: string | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly name: string,
    /** Long-poll seconds (SQS allows 0–20). */
    private readonly waitSeconds = 20,
  ) {}

  private async queueUrl(): Promise<string> {
    if (this.url !== undefined) return this.url;
    try {
      const out = await this.sqs.send(new GetQueueUrlCommand({ QueueName: this.name }));
      if (out.QueueUrl === undefined) throw new Error('no QueueUrl in the answer');
      this.url = out.QueueUrl;
      return this.url;
    } catch (e) {
      throw new CloudError(`interruption queue ${this.name}: ${(e as Error).message}`, { cause: e });
    }
  }

  async receive(signal?: AbortSignal): Promise<QueueMessage[]> {
    const QueueUrl = await this.queueUrl();
    const out = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: this.waitSeconds }),
      signal ? { abortSignal: signal } : {},
    );
    return (out.Messages ?? []).flatMap((m) =>
      m.ReceiptHandle === undefined
        ? []
        : [{ id: m.MessageId ?? '', body: m.Body, receipt: m.ReceiptHandle }],
    );
  }

  async delete(receipt: string): Promise<void> {
    await this.sqs.send(
      new DeleteMessageCommand({ QueueUrl: await this.queueUrl(), ReceiptHandle: receipt }),
    );
  }
}
