/**
 * The sender: consumes the outbound queue (agents' replies, templates, canned answers, video links, auto-replies)
 * and sends each through the account's provider. A job that fails for an unexpected reason (the store or the queue
 * unreachable) is reported as a batch item failure and comes back; what the provider refuses for good is recorded
 * by the use case itself and acknowledged.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { log } from '../shared/logger';
import { outboundJobSchema } from '../shared/outbound/messages';
import { processOutboundJob } from '../shared/outbound/send';
import { registerCampaignSending } from '../shared/campaigns/events';

async function handle(body: string): Promise<void> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    raw = undefined;
  }
  const parsed = outboundJobSchema.safeParse(raw);
  // A malformed job can never succeed: log it and drop it rather than retrying it into the DLQ.
  if (!parsed.success) return log.error('dropping malformed outbound job', { issues: parsed.error.issues });
  await processOutboundJob(parsed.data);
}

// Campaigns hear of their messages here (see shared/campaigns/events.ts).
registerCampaignSending();

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  // One at a time: a batch is at most 5 jobs, and parallel sends would only multiply a provider's rate limiting.
  for (const record of event.Records) {
    try {
      await handle(record.body);
    } catch (error) {
      log.warn('outbound job failed, will retry', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
});
