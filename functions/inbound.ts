/**
 * Consumes the inbound FIFO queue. Records of one message group (one conversation) are processed in order; once
 * one fails, it and every later record of its group are reported failed unprocessed, so the group is retried in
 * order. Different groups run concurrently. A body that does not parse can never succeed: logged and dropped.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { inboundEnvelopeSchema } from '../shared/inbound/envelope';
import { processInbound } from '../shared/inbound/process';
import { log } from '../shared/logger';
// Routing listens for stored messages: a new interaction enters its plan, a follow-up reaches its agent.
import '../shared/routing';
import { registerAutoTranslation } from '../shared/tools';
import { registerCampaignInbound } from '../shared/campaigns/events';

// Then the account's automatic translation, which never holds delivery back (registered after routing).
registerAutoTranslation();

function parseBody(record: SQSRecord) {
  let raw: unknown;
  try {
    raw = JSON.parse(record.body);
  } catch {
    raw = undefined;
  }
  const parsed = inboundEnvelopeSchema.safeParse(raw);
  if (!parsed.success) log.error('dropping a malformed inbound queue message', { messageId: record.messageId, issues: parsed.error.issues });
  return parsed.success ? parsed.data : undefined;
}

async function processGroup(records: SQSRecord[]): Promise<string[]> {
  for (const [i, record] of records.entries()) {
    const envelope = parseBody(record);
    if (!envelope) continue;
    try {
      await processInbound(envelope);
    } catch (error) {
      log.warn('inbound event failed, will retry', { messageId: record.messageId, error });
      return records.slice(i).map((r) => r.messageId);
    }
  }
  return [];
}

// Campaigns hear of their messages here (see shared/campaigns/events.ts).
registerCampaignInbound();

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? record.messageId;
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const failed = (await Promise.all([...groups.values()].map(processGroup))).flat();
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
});
