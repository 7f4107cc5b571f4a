/**
 * --interruption-queue beside the simulated and kwok clouds: the same SQS queue of EC2 events the aws
 * cloud reads (region and endpoint from --aws-region and --aws-endpoint, e.g. a moto_server), so that
 * spot interruptions of simulated instances are handled as on AWS. The SDK's SQS client is loaded
 * only then.
 */
import type { InterruptionQueue } from '../provisioner/interruption/queue.js';
import type { AwsFlags } from './cloud-flags.js';

export async function sqsInterruptionQueue(
  name: string,
  flags: Pick<AwsFlags, 'awsRegion' | 'awsEndpoint'>,
  region: string,
): Promise<{ queue: InterruptionQueue; stop: () => void }> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const { SqsQueue } = await import('../provisioner/interruption/queue.js');
  const sqs = new SQSClient({
    region: flags.awsRegion ?? process.env.AWS_REGION ?? region,
    ...(flags.awsEndpoint !== undefined ? { endpoint: flags.awsEndpoint } : {}),
  });
  return {
    queue: new SqsQueue(sqs, name),
    stop: () => {
      sqs.destroy();
    },
  };
}
