/** The queues of the wiring, each with its dead-letter queue; SSE with SQS-owned keys and TLS enforced. */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues as queueSpecs, type QueueName } from '../wiring';
import type { StageSettings } from './stage';

export class Messaging extends Construct {
  readonly queues = {} as Record<QueueName, Queue>;
  readonly deadLetterQueues = {} as Record<QueueName, Queue>;

  constructor(scope: Construct, id: string, stage: StageSettings) {
    super(scope, id);
    for (const name of Object.keys(queueSpecs) as QueueName[]) {
      const spec = queueSpecs[name];
      const suffix = spec.fifo ? '.fifo' : '';
      const dlq = new Queue(this, `${name}-dlq`, {
        queueName: `${stage.prefix}-${name}-dlq${suffix}`,
        fifo: spec.fifo || undefined,
        retentionPeriod: Duration.days(spec.dlqRetentionDays),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy: stage.removalPolicy,
      });
      const queue = new Queue(this, name, {
        queueName: `${stage.prefix}-${name}${suffix}`,
        fifo: spec.fifo || undefined,
        // FIFO only: CloudFormation refuses ContentBasedDeduplication on a standard queue. Deduplication is by the
        // ids the senders set (the provider's message id), never by a hash of the body.
        ...(spec.fifo ? { contentBasedDeduplication: false } : {}),
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
        removalPolicy: stage.removalPolicy,
      });
      this.queues[name] = queue;
      this.deadLetterQueues[name] = dlq;
    }
  }
}
