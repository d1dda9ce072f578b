/**
 * The SQS JSON-1.0 wire protocol for SendMessage and SendMessageBatch, served to the production queue adapter so it
 * runs unchanged against the local queues. The SDK checks MD5OfMessageBody, so every answer carries it.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueueError, type LocalQueue } from './queues';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

interface SendInput {
  QueueUrl?: string;
  MessageBody?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DelaySeconds?: number;
  Entries?: (SendInput & { Id?: string })[];
}

function reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' };
  if (errorType) headers['x-amzn-query-error'] = `${errorType};Sender`;
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

export function sqsRequestHandler(queuesByName: Map<string, LocalQueue>) {
  return async (req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    let input: SendInput;
    try {
      input = JSON.parse(rawBody.toString('utf8')) as SendInput;
    } catch {
      return reply(res, 400, { __type: 'com.amazonaws.sqs#InvalidParameterValue', message: 'bad JSON' }, 'InvalidParameterValue');
    }
    const name = input.QueueUrl?.split('/').pop() ?? '';
    const queue = queuesByName.get(name);
    if (!queue) {
      return reply(res, 400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: `no queue ${name}` }, 'AWS.SimpleQueueService.NonExistentQueue');
    }
    const sendOne = (entry: SendInput) =>
      queue.send({
        body: entry.MessageBody ?? '',
        groupId: entry.MessageGroupId,
        deduplicationId: entry.MessageDeduplicationId,
        delaySeconds: entry.DelaySeconds,
      });
    try {
      if (target.endsWith('.SendMessage')) {
        const messageId = sendOne(input);
        // Durable before the answer: the sender acknowledges (202, 200) only what a crash cannot lose.
        await queue.flushed();
        return reply(res, 200, { MessageId: messageId, MD5OfMessageBody: md5(input.MessageBody ?? '') });
      }
      if (target.endsWith('.SendMessageBatch')) {
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const entry of input.Entries ?? []) {
          try {
            const messageId = sendOne(entry);
            Successful.push({ Id: entry.Id, MessageId: messageId, MD5OfMessageBody: md5(entry.MessageBody ?? '') });
          } catch (error) {
            Failed.push({ Id: entry.Id, SenderFault: true, Code: (error as QueueError).code ?? 'InternalError', Message: (error as Error).message });
          }
        }
        if (Successful.length > 0) await queue.flushed();
        return reply(res, 200, { Successful, Failed });
      }
      return reply(res, 400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: target }, 'AWS.SimpleQueueService.UnsupportedOperation');
    } catch (error) {
      const code = error instanceof QueueError ? error.code : 'InternalError';
      // Not the sender's fault (the journal could not be written): a 5xx the SDK retries.
      if (!(error instanceof QueueError)) return reply(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: (error as Error).message }, code);
      return reply(res, 400, { __type: `com.amazonaws.sqs#${code}`, message: (error as Error).message }, code);
    }
  };
}
