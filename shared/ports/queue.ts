/**
 * The queue port: sends messages to the inbound (FIFO), outbound and timers queues. One adapter serves both hosts:
 * the SQS client, aimed locally at the engine's SQS-compatible endpoint, so the production code path runs
 * unchanged in both places.
 */
import { SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { config, required } from '../config';
import { clientFor } from './aws';

export type QueueTarget = 'inbound' | 'outbound' | 'timers' | 'exports' | 'outbound-dlq';

export interface QueueMessage {
  body: string;
  /** FIFO only: messages of one group are delivered in order, one at a time. */
  groupId?: string;
  /** FIFO only: a second send with the same id within 5 minutes is dropped. */
  deduplicationId?: string;
  /** Standard queues only, 0 to 900. */
  delaySeconds?: number;
}

let client: SQSClient | undefined;
let clientEndpoint: string | undefined;
function sqsClient(): SQSClient {
  // Rebuilt when the endpoint changes (the local engine learns its own port after start).
  if (client && clientEndpoint === config.SQS_ENDPOINT) return client;
  clientEndpoint = config.SQS_ENDPOINT;
  client = clientFor(config.SQS_ENDPOINT, (options) => new SQSClient({ region: config.AWS_REGION, ...options }));
  return client;
}

function queueUrl(target: QueueTarget): string {
  if (target === 'inbound') return required('INBOUND_QUEUE_URL');
  if (target === 'outbound') return required('OUTBOUND_QUEUE_URL');
  if (target === 'exports') return required('EXPORTS_QUEUE_URL');
  // What failed for good goes here directly with its reason, instead of being retried into it.
  if (target === 'outbound-dlq') return required('OUTBOUND_DLQ_URL');
  return required('TIMERS_QUEUE_URL');
}

/** The FIFO targets (the wiring's inbound queue); the others are standard queues. */
const FIFO_TARGETS: ReadonlySet<QueueTarget> = new Set(['inbound']);

/**
 * What SQS would refuse, refused here with the reason, before anything is sent: a FIFO message needs its group and
 * deduplication ids (the queue has no content-based deduplication) and cannot carry its own DelaySeconds; a
 * standard queue's DelaySeconds is 0 to 900.
 */
function checked(target: QueueTarget, message: QueueMessage): QueueMessage {
  if (FIFO_TARGETS.has(target)) {
    if (!message.groupId || !message.deduplicationId) throw new Error(`queue ${target} is FIFO: a message needs groupId and deduplicationId`);
    if (message.delaySeconds !== undefined) throw new Error(`queue ${target} is FIFO: SQS refuses a per-message DelaySeconds`);
  } else if (message.delaySeconds !== undefined && !(Number.isInteger(message.delaySeconds) && message.delaySeconds >= 0 && message.delaySeconds <= 900)) {
    throw new Error(`queue ${target}: delaySeconds must be an integer from 0 to 900, got ${message.delaySeconds}`);
  }
  return message;
}

function entry(message: QueueMessage) {
  return {
    MessageBody: message.body,
    MessageGroupId: message.groupId,
    MessageDeduplicationId: message.deduplicationId,
    DelaySeconds: message.delaySeconds,
  };
}

/**
 * A host that runs the queues in this very thread (the local engine's HTTP thread) may take sends directly instead of
 * over the SQS protocol and back; the semantics are the queues' own, the same as over the wire, and the sink resolves
 * only once the messages are durable.
 */
export type QueueSink = (target: QueueTarget, messages: QueueMessage[]) => void | Promise<void>;
let sink: QueueSink | undefined;

export function setQueueSink(next: QueueSink | undefined): void {
  sink = next;
}

export async function sendMessage(target: QueueTarget, message: QueueMessage): Promise<void> {
  checked(target, message);
  if (sink) return await sink(target, [message]);
  await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl(target), ...entry(message) }));
}

/**
 * Sends up to any number of messages in batches of 10. Throws when any entry failed, so a caller that must not
 * acknowledge before everything is durable (the webhook) answers 5xx and the provider retries.
 */
export async function sendMessages(target: QueueTarget, messages: QueueMessage[]): Promise<void> {
  for (const message of messages) checked(target, message);
  if (sink) return await sink(target, messages);
  if (messages.length === 1 && messages[0]) return sendMessage(target, messages[0]);
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    const result = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl(target),
        Entries: chunk.map((m, j) => ({ Id: String(j), ...entry(m) })),
      }),
    );
    if (result.Failed && result.Failed.length > 0) {
      throw new Error(`queue ${target} refused ${result.Failed.length} message(s): ${result.Failed[0]?.Message ?? ''}`);
    }
  }
}
